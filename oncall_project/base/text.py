"""Text as people and clients send it, and as it is safe to show back."""


def shown(value: str) -> str:
    """`value` fit to quote in a message: what UTF-8 cannot encode (a lone surrogate) is
    written as an escape, so a message that echoes bad input never fails to render."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
