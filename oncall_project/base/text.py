"""Text as clients send it: what can be stored, and how to quote it back.

No column holds a lone surrogate (half of a UTF-16 pair, which JSON's \\u escapes can spell but
UTF-8 cannot encode: PostgreSQL refuses it, and on SQLite a JSON column keeps it and every page
showing it fails) nor a NUL character (PostgreSQL refuses it in text and JSON). Such text is
refused where it comes in, naming where it was; a message quoting input quotes it `shown()`."""

from collections.abc import Iterator
from typing import Any

NOT_UTF8 = "Text that is not valid UTF-8."
WITH_NUL = "Text with a NUL character, which cannot be stored."


def shown(value: str) -> str:
    """`value` fit to quote in a message: what UTF-8 cannot encode (a lone surrogate) is
    written as an escape, so a message that echoes bad input never fails to render."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if "\x00" in text:
        return WITH_NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        return f"Text that is not valid Unicode (a lone surrogate, U+{code:04X})."
    return None


def _texts(value: Any) -> Iterator[tuple[list[str], str]]:
    """Every text in a parsed JSON value, keys included, with its path (walked without
    recursion, in document order)."""
    stack: list[tuple[list[str], Any]] = [([], value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key in item:
                yield [*path, shown(str(key))], str(key)
            stack.extend(([*path, shown(str(k))], v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(([*path, str(i)], v) for i, v in reversed(list(enumerate(item))))


def unstorable(value: Any) -> tuple[list[str], str] | None:
    """The path of the first text in `value` that cannot be stored, and why; None if none."""
    for path, text in _texts(value):
        problem = text_problem(text)
        if problem:
            return path, problem
    return None


def first_unstorable_field(data: Any) -> tuple[str, str] | None:
    """In a request body (an object of fields): the field holding text that cannot be stored,
    and a message saying where in it and why. A body that is no object is one field, ''."""
    found = unstorable(data)
    if found is None:
        return None
    path, problem = found
    if not isinstance(data, dict) or not path:
        return "", problem
    where = ".".join(path)
    return path[0], problem if len(path) == 1 else f"{problem[:-1]}, at {where}."
