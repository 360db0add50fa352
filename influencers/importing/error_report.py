"""The shape of the row-error report shared by every stage of the import.

One row per problem: ``line`` (the 1-based line in the file where the record starts, the
header being line 1; for JSON exports the 1-based item number), ``column`` (the header as the
file spells it, or a JSON path), ``field`` (the canonical column, when there is one),
``value`` (the raw text), ``reason`` (words a marketer can act on) and ``severity``:

- ``error``: the whole row is rejected (one report line per bad cell);
- ``warning``: the row is kept and only the named value was dropped (an unknown country, a
  link in a category column, an undecodable byte…).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

ERROR_COLUMNS = ("line", "column", "field", "value", "reason", "severity")
ERROR = "error"
WARNING = "warning"
MAX_VALUE_LENGTH = 200

_DTYPES = {
    "line": "Int64",
    "column": pd.StringDtype("pyarrow"),
    "field": pd.StringDtype("pyarrow"),
    "value": pd.StringDtype("pyarrow"),
    "reason": pd.StringDtype("pyarrow"),
    "severity": pd.StringDtype("pyarrow"),
}


def shorten(value: object) -> str | None:
    """The raw value as text, cut to a readable length."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else f"{text[: MAX_VALUE_LENGTH - 1]}…"


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=dtype) for column, dtype in _DTYPES.items()})


_EMPTY = _empty()


def error_frame(rows: Iterable[Sequence[object]] = ()) -> pd.DataFrame:
    """Build an error report from ``(line, column, field, value, reason, severity)`` tuples."""
    rows = list(rows)
    if not rows:
        return _EMPTY.copy()
    frame = pd.DataFrame(rows, columns=list(ERROR_COLUMNS))
    frame["value"] = frame["value"].map(shorten, na_action="ignore")
    return frame.astype(_DTYPES)


def concat_errors(frames: Iterable[pd.DataFrame | None]) -> pd.DataFrame:
    """Join reports and order them by line (stable: a row's problems keep their order)."""
    present = [frame for frame in frames if frame is not None and len(frame)]
    if not present:
        return error_frame()
    if len(present) == 1:
        return (
            present[0]
            .sort_values("line", kind="stable", na_position="first")
            .reset_index(drop=True)
        )
    joined = pd.concat(present, ignore_index=True).astype(_DTYPES)
    return joined.sort_values("line", kind="stable", na_position="first").reset_index(drop=True)
