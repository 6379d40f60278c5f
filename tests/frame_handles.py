"""Where each of the canvas frame's eight handles sits, as fractions of its width and height."""

HANDLES = {
    "top-left": (0.0, 0.0),
    "top": (0.5, 0.0),
    "top-right": (1.0, 0.0),
    "right": (1.0, 0.5),
    "bottom-right": (1.0, 1.0),
    "bottom": (0.5, 1.0),
    "bottom-left": (0.0, 1.0),
    "left": (0.0, 0.5),
}
