def test_smoke(loaded, qtbot):
    w = loaded
    print(w.model.state)
    assert w.options_panel.extend_button.isEnabled(), w.options_panel.reason.text()
