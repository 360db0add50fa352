"""Validation: split a canonical frame into the rows that land and the rows that are reported.

``validate(frame, today=…, problems=…)`` applies the rules below and returns
``(good, errors)``. A row with any error is rejected whole; the report has one line per bad
cell. Warnings (a value dropped, the row kept) pass through to the report.

Rules (each an ``error`` unless said otherwise):

- a cell that did not parse (the ``problems`` from ``to_canonical``);
- missing platform or handle; missing as_of date;
- a negative count, average, median, rate or price;
- followers of 0 next to an engagement rate above 0;
- an engagement rate or audience credibility above 100 %;
- an as_of date after ``today``;
- a price without a currency (``warning``: the price is kept, its currency unknown);
- the same (platform, handle, as_of) twice: the first good row is kept and every later one
  is reported once, as a duplicate of the kept line. Rows rejected for other reasons do not
  count, so a bad first row does not hide a good later one. Pass one ``DuplicateTracker`` to
  every chunk of a file so duplicates are found across chunks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .canonical import AVERAGE_FIELDS, COUNT_FIELDS, MEDIAN_FIELDS, RATE_FIELDS
from .error_report import ERROR, WARNING, concat_errors, error_frame
from .readers import SOURCE_LINE

NON_NEGATIVE_FIELDS = (*COUNT_FIELDS, *AVERAGE_FIELDS, *MEDIAN_FIELDS, *RATE_FIELDS)


def _mix(value: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


def _arrow(series: pd.Series) -> pa.Array:
    array = pa.array(series.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _key_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of (platform, handle, as_of) per row, the same in every chunk.

    Handles are hashed as text (pandas' SipHash); the platform (a handful of values) and the
    date (a day number) are mixed in as numbers, which saves joining strings.
    """
    handles = pc.fill_null(_arrow(frame["handle"]), "").to_numpy(zero_copy_only=False)
    hashed = pd.util.hash_array(handles, categorize=False)
    platforms = pc.dictionary_encode(pc.fill_null(_arrow(frame["platform"]), ""))
    platform_hashes = pd.util.hash_array(
        np.array(platforms.dictionary.to_pylist(), dtype=object), categorize=False
    )
    codes = platforms.indices.to_numpy(zero_copy_only=False)
    days = pc.fill_null(pc.cast(_arrow(frame["as_of"]), pa.int32()), -(2**31))
    days = days.to_numpy(zero_copy_only=False).astype(np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        other = _mix(platform_hashes[codes] + days * np.uint64(0x9E3779B97F4A7C15))
    return _mix(hashed ^ other)


class DuplicateTracker:
    """Remembers the (platform, handle, as_of) keys already accepted, with their lines.

    Keys are kept as 64-bit hashes in a sorted array (16 bytes a row, whatever the handle
    length), so a million-row file costs 16 MB. Two different keys would have to share a
    hash for a row to be taken for a duplicate: about one chance in 10^7 for a million rows,
    and the report would still name both lines.
    """

    def __init__(self) -> None:
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._lines = np.zeros(0, dtype=np.int64)

    def earlier_lines(self, frame: pd.DataFrame) -> np.ndarray:
        """For each row, the line of an earlier row with the same key, or -1; then remember
        the new keys. Rows are taken in order, so within a frame the first one wins."""
        size = len(frame)
        if not size:
            return np.zeros(0, dtype=np.int64)
        hashes = _key_hashes(frame)
        lines = frame[SOURCE_LINE].to_numpy(dtype=np.int64)
        order = np.argsort(hashes, kind="stable")  # equal keys keep their file order
        ordered = hashes[order]
        repeat = np.zeros(size, dtype=bool)
        repeat[1:] = ordered[1:] == ordered[:-1]
        group_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(size)))
        slots = np.searchsorted(self._hashes, ordered)
        clipped = np.minimum(slots, max(self._hashes.size - 1, 0))
        found = (slots < self._hashes.size) & (
            self._hashes[clipped] == ordered if self._hashes.size else False
        )
        earlier_ordered = np.full(size, -1, dtype=np.int64)
        earlier_ordered[found] = self._lines[clipped[found]]
        within = repeat & ~found
        earlier_ordered[within] = lines[order[group_start[within]]]
        earlier = np.empty(size, dtype=np.int64)
        earlier[order] = earlier_ordered
        new = ~found & ~repeat
        self._hashes = np.insert(self._hashes, slots[new], ordered[new])
        self._lines = np.insert(self._lines, slots[new], lines[order[new]])
        return earlier


def _cell_errors(
    frame: pd.DataFrame,
    mask: pd.Series,
    field: str,
    reason: str,
    columns: Mapping[str, str],
    *,
    severity: str = ERROR,
) -> pd.DataFrame | None:
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return None
    rows = frame.loc[mask]
    values = rows[field].astype(object).where(rows[field].notna(), None)
    return error_frame(
        (line, columns.get(field, field), field, value, reason, severity)
        for line, value in zip(rows[SOURCE_LINE].tolist(), values.tolist(), strict=True)
    )


def _percent(value: float) -> str:
    return f"{value * 100:g} %"


def validate(
    frame: pd.DataFrame,
    *,
    today: date,
    problems: pd.DataFrame | None = None,
    columns: Mapping[str, str] | None = None,
    duplicates: DuplicateTracker | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(good, errors)``: the rows that pass and the error report (with warnings).

    ``problems`` are the parsing problems of the same rows; ``columns`` maps canonical fields
    to the headers shown in the report (default: the field names).
    """
    columns = dict(columns or {})
    reports = [problems if problems is not None else error_frame()]
    failed = error_frame()
    if problems is not None and len(problems):
        failed = problems[(problems["severity"] == ERROR).fillna(False)]

    def unless_failed(mask: pd.Series, field: str) -> pd.Series:
        """Leave out the rows whose cell already failed to parse (reported once)."""
        if not len(failed):
            return mask
        lines = failed.loc[(failed["field"] == field).fillna(False), "line"]
        return mask & ~frame[SOURCE_LINE].isin(lines.dropna().astype("int64"))

    for field, label in (("platform", "platform"), ("handle", "handle"), ("as_of", "as_of date")):
        missing = unless_failed(frame[field].isna(), field)
        reports.append(_cell_errors(frame, missing, field, f"missing {label}", columns))
    for field in NON_NEGATIVE_FIELDS:
        reports.append(_cell_errors(frame, frame[field] < 0, field, "negative", columns))
    negative_price = frame["price_per_post"].str.startswith("-")  # exact decimal text
    reports.append(_cell_errors(frame, negative_price, "price_per_post", "negative", columns))
    reports.append(
        _cell_errors(
            frame,
            frame["price_per_post"].notna() & frame["price_currency"].isna(),
            "price_per_post",
            "a price without a currency: its currency is unknown",
            columns,
            severity=WARNING,
        )
    )
    zero_followers = (frame["followers"] == 0) & (frame["engagement_rate"] > 0)
    reports.append(
        _cell_errors(
            frame, zero_followers, "followers", "0 followers but an engagement rate", columns
        )
    )
    for field in RATE_FIELDS:
        too_high = frame[field] > 1
        reason = "above 100 %" if field != "engagement_rate" else "engagement rate above 100 %"
        reports.append(_cell_errors(frame, too_high, field, reason, columns))
    future = frame["as_of"].notna() & (frame["as_of"] > pd.Timestamp(today).date())
    reports.append(_cell_errors(frame, future, "as_of", f"after today ({today})", columns))

    errors = concat_errors(reports)
    rejected_lines = set(errors.loc[errors["severity"] == ERROR, "line"].dropna().tolist())
    rejected = frame[SOURCE_LINE].isin(rejected_lines).to_numpy()

    tracker = duplicates if duplicates is not None else DuplicateTracker()
    candidates = frame.loc[~rejected]
    earlier = tracker.earlier_lines(candidates)
    duplicate = earlier >= 0
    if duplicate.any():
        rows = candidates.loc[duplicate]
        errors = concat_errors(
            [
                errors,
                error_frame(
                    (
                        line,
                        columns.get("handle", "handle"),
                        "handle",
                        handle,
                        f"duplicate of line {first}: same platform, handle and as_of date",
                        ERROR,
                    )
                    for line, handle, first in zip(
                        rows[SOURCE_LINE].tolist(),
                        rows["handle"].tolist(),
                        earlier[duplicate].tolist(),
                        strict=True,
                    )
                ),
            ]
        )
    good = candidates.loc[~duplicate].reset_index(drop=True)
    return good, errors
