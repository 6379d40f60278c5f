"""Text for people: the one helper that makes a message start like a sentence."""

from __future__ import annotations


def sentence(text: str) -> str:
    """``text`` with its first letter in upper case and the rest as it is (``str.capitalize``
    would lower "API" and "FLUX"); an empty text, or one that starts with a file's name
    ("photo.jpg is damaged"), stays as it is."""
    first_word = text.split(" ", 1)[0].rstrip(".:,;")
    if "." in first_word:
        return text
    return text[:1].upper() + text[1:]


def reason(exc: BaseException) -> str:
    """Why an operation failed, in a few words: an OS error's own text ("No space left on
    device") without its number and path, else the exception's message."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
