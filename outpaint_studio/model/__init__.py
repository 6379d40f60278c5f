"""Qt models, no widgets: the observable state the editor's widgets bind to."""
