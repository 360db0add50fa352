"""The two exceptions of the importing package.

``ValueParseError`` is about one cell and never escapes the pipeline: it becomes a line of the
error report. ``ImportFileError`` is about the whole file (unreadable, unknown format, an API
envelope that reports a failure…) and is the only exception callers need to catch.
"""


class ValueParseError(ValueError):
    """A cell's text is not a valid value for its column; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImportFileError(Exception):
    """The file cannot be imported at all; the message is one line a user can act on."""
