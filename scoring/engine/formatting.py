"""Column-at-a-time text formatting for explanations (Arrow strings, null = unknown).

Formatting a million numbers with Python's ``format`` costs about a second per column;
these helpers build the digits with numpy and join strings in Arrow instead.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NULL = pa.scalar(None, pa.string())
Text = pa.Array | pa.Scalar | str


def fixed(
    values: np.ndarray, decimals: int = 0, *, plus_sign: bool = False, suffix: str = ""
) -> pa.Array:
    """``1,234.57``-style numbers (rounded half away from zero), optionally with ``+`` on
    non-negative values and a constant suffix; null for NaN/inf.

    The characters are written with numpy into one byte matrix (a row per character
    position, right-aligned), then read by Arrow as fixed-width strings and left-trimmed.
    """
    values = np.asarray(values, dtype=np.float64)
    size = len(values)
    is_known = np.isfinite(values)
    scale = 10**decimals
    # Absurd magnitudes (a rate over a near-zero denominator) are shown capped, not wrapped.
    magnitude = np.minimum(np.where(is_known, np.abs(values), 0.0), 1e15 / scale)
    scaled = np.floor(magnitude * scale + 0.5).astype(np.int64)
    whole = scaled // scale
    is_negative = (values < 0) & (scaled > 0)
    suffix_bytes = suffix.encode()
    digit_count = len(str(int(whole.max()))) if size else 1
    # sign, digits, thousands separators, ".ddd", suffix
    width = 1 + digit_count + (digit_count - 1) // 3 + (decimals + 1 if decimals else 0)
    width += len(suffix_bytes)
    # One row per character position, so every write is a contiguous slice.
    characters = np.full((width, size), ord(" "), dtype=np.uint8)
    position = width - 1
    for byte in reversed(suffix_bytes):
        characters[position] = byte
        position -= 1
    rest = scaled
    for _ in range(decimals):
        quotient = rest // 10
        characters[position] = (rest - quotient * 10).astype(np.uint8) + ord("0")
        rest = quotient
        position -= 1
    if decimals:
        characters[position] = ord(".")
        position -= 1
    first = np.full(size, position, dtype=np.int64)  # each number's first character
    for digit in range(digit_count):
        shown = whole >= 10**digit if digit else np.ones(size, dtype=bool)
        if digit and digit % 3 == 0:
            characters[position][shown] = ord(",")
            position -= 1
        quotient = rest // 10
        characters[position][shown] = ((rest - quotient * 10).astype(np.uint8) + ord("0"))[shown]
        first[shown] = position
        rest = quotient
        position -= 1
    columns = np.arange(size)
    if plus_sign:
        is_positive = is_known & ~is_negative
        characters[first[is_positive] - 1, columns[is_positive]] = ord("+")
    characters[first[is_negative] - 1, columns[is_negative]] = ord("-")
    buffer = pa.py_buffer(np.ascontiguousarray(characters.T))
    validity = pa.py_buffer(np.packbits(is_known, bitorder="little"))
    padded = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), size, [validity, buffer])
    return pc.utf8_ltrim(padded.cast(pa.string()), characters=" ")


def integer(values: np.ndarray) -> pa.Array:
    return fixed(values, 0)


def signed(values: np.ndarray, decimals: int = 1) -> pa.Array:
    """``+4.0`` / ``-6.0``."""
    return fixed(values, decimals, plus_sign=True)


def percent(fractions: np.ndarray, decimals: int = 2) -> pa.Array:
    """A fraction as ``2.31 %``."""
    return fixed(np.asarray(fractions, dtype=np.float64) * 100.0, decimals, suffix=" %")


@cache
def _ordinals() -> pa.Array:
    def suffix(number: int) -> str:
        if number % 100 in (11, 12, 13):
            return "th"
        return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")

    return pa.array([f"{number}{suffix(number)}" for number in range(101)], pa.string())


def ordinal(percentiles: np.ndarray) -> pa.Array:
    """0–100 rounded half up: ``78th``, ``1st``, ``22nd``; null for NaN."""
    values = np.asarray(percentiles, dtype=np.float64)
    is_known = np.isfinite(values)
    index = np.clip(np.floor(np.where(is_known, values, 0.0) + 0.5), 0, 100).astype(np.int64)
    return _ordinals().take(pa.array(index, mask=~is_known))


def labels(codes: np.ndarray, names: tuple[str, ...] | list[str]) -> pa.Array:
    """Integer codes as their names; -1 is null."""
    codes = np.asarray(codes, dtype=np.int64)
    return pa.array(list(names), pa.string()).take(pa.array(codes, mask=codes < 0))


def concat(*parts: Text) -> pa.Array:
    """Element-wise concatenation; null when any part is null."""
    return pc.binary_join_element_wise(*parts, "")


def join(parts: list[pa.Array], separator: str) -> pa.Array:
    """Element-wise join of the non-null parts with ``separator`` ("" when all are null)."""
    # Arrow's null_handling="skip" mis-sizes its result when a row is all null, so each part
    # carries its separator and the first one is cut off.
    prefixed = [concat(separator, part) for part in parts]
    joined = pc.binary_join_element_wise(
        *prefixed, "", null_handling="replace", null_replacement=""
    )
    return pc.utf8_slice_codeunits(joined, start=len(separator))


def when(mask: np.ndarray | pa.Array, then: Text, otherwise: Text = NULL) -> pa.Array:
    if not isinstance(mask, pa.Array):
        mask = pa.array(np.asarray(mask, dtype=bool))
    return pc.if_else(mask, then, otherwise)


def first_known(*parts: Text) -> pa.Array:
    return pc.coalesce(*(pa.scalar(part) if isinstance(part, str) else part for part in parts))


def to_series(values: pa.Array, size: int) -> pd.Series:
    """An Arrow string array (or scalar) as a pandas ``str`` column."""
    if isinstance(values, pa.Scalar):
        values = pa.repeat(values, size)
    return pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
