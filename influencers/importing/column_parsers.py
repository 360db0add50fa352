"""Vectorised parsers: one whole column (a pandas Series of text) at a time.

Each ``parse_*_series(series)`` returns ``(values, problems)``: ``values`` has the same index
as the input and the column's canonical dtype (NA where a cell is empty or failed), and
``problems`` is a Series of reasons indexed by the failed cells only.

The results are exactly those of the scalar parsers in ``values.py``. The common clean cells
(plain integers, plain decimals, ``3.3k``, ``1.39%``, ``234,000,000``, ASCII handles) take a
pyarrow fast path; every other cell goes through the scalar parser, once per distinct value.
Float columns are exact too: a decimal string and ``float(Decimal(string))`` round the same
way, and ``3.3k`` is computed as ``float("3.3e3")``, never as ``3.3 * 1000``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import values
from .exceptions import ValueParseError

STRING_DTYPE = pd.StringDtype("pyarrow")
DATE_DTYPE = pd.ArrowDtype(pa.date32())

_NUMERIC_NULLS = pa.array(sorted(values.NUMERIC_NULL_TOKENS), type=pa.large_string())
_TEXT_NULLS = pa.array(sorted(values.NULL_TOKENS), type=pa.large_string())
_SUFFIX_EXPONENTS = (("[kK]$", "e3"), ("[mM]$", "e6"), ("[bB]$", "e9"))
_EXACT_FLOAT_LIMIT = 2.0**53


# --- helpers -------------------------------------------------------------------------------


def arrow_strings(series: pd.Series) -> pa.Array:
    """The column as a pyarrow ``large_string`` array, nulls for missing cells."""
    if isinstance(series.dtype, pd.StringDtype):
        array = pa.array(series.array)
    else:
        array = pa.array(series.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    return array


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _mask(condition: pa.Array) -> np.ndarray:
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    return _mask(pc.match_substring_regex(array, pattern=pattern))


def _present(trimmed: pa.Array, tokens: pa.Array) -> np.ndarray:
    """Cells that hold something other than nothing or a null token.

    (The null tokens are ASCII but for two dashes, so ASCII lowercasing is enough.)"""
    null = pc.or_(pc.is_null(trimmed), pc.is_in(pc.ascii_lower(trimmed), value_set=tokens))
    return ~_mask(null)


def _trimmed(series: pd.Series) -> pa.Array:
    array = arrow_strings(series)
    if _only_bytes(array, _ASCII):
        if not _edges_have_whitespace(array):
            return array  # nothing to trim: the common case costs two lookups a cell
        return pc.ascii_trim_whitespace(array)
    return pc.utf8_trim_whitespace(array)


_ASCII_WHITESPACE = np.zeros(256, dtype=bool)
_ASCII_WHITESPACE[list(b" \t\n\r\x0b\x0c")] = True


def _edges_have_whitespace(array: pa.Array) -> bool:
    """Whether some cell of an ASCII column starts or ends with whitespace."""
    if array.null_count == len(array) or array.buffers()[2] is None:
        return False
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if not filled.any():
        return False
    return bool(
        _ASCII_WHITESPACE[data[starts[filled]]].any()
        or _ASCII_WHITESPACE[data[ends[filled] - 1]].any()
    )


class _Distinct:
    """A scalar parser run once per distinct text among some cells."""

    def __init__(self, array: pa.Array, positions: np.ndarray, parse: Callable[[str], Any]):
        self.positions = positions
        self.parsed: list[Any] = []
        self.reasons: list[str | None] = []
        self.codes = np.zeros(0, dtype=np.int64)
        if positions.size == 0:
            return
        everything = positions.size == len(array)
        encoded = pc.dictionary_encode(array if everything else array.take(pa.array(positions)))
        for text in encoded.dictionary.to_pylist():
            try:
                self.parsed.append(parse(text))
                self.reasons.append(None)
            except ValueParseError as error:
                self.parsed.append(None)
                self.reasons.append(error.reason)
        self.codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)

    def failures(self) -> dict[int, str]:
        failed = np.array([reason is not None for reason in self.reasons], dtype=bool)
        if not failed.any():
            return {}
        rows = failed[self.codes]
        return {
            int(position): self.reasons[code]
            for position, code in zip(self.positions[rows], self.codes[rows], strict=True)
        }

    def arrow(self, type_: pa.DataType) -> pa.Array:
        """The parsed value of every position, as one Arrow array."""
        return pa.array(self.parsed, type=type_).take(pa.array(self.codes))


def _problems(series: pd.Series, failures: dict[int, str]) -> pd.Series:
    if not failures:
        return pd.Series([], index=series.index[:0], dtype=STRING_DTYPE)
    positions = np.array(sorted(failures), dtype=np.int64)
    return pd.Series(
        [failures[int(position)] for position in positions],
        index=series.index[positions],
        dtype=STRING_DTYPE,
    )


def _cast(texts: pa.Array, type_: pa.DataType, *, keep_nulls: bool = False) -> Any:
    """Cast text to numbers, or None when some cell does not cast (the scalar parser decides).

    With ``keep_nulls`` the result is ``(numbers, missing)``; nulls never pass through a float.
    """
    try:
        parsed = pc.cast(texts, type_)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if keep_nulls:
        missing = _mask(pc.is_null(parsed))
        return pc.fill_null(parsed, 0).to_numpy(zero_copy_only=False), missing
    return parsed.to_numpy(zero_copy_only=False)


def _only_bytes(array: pa.Array, allowed: bytes) -> bool:
    """Whether every byte of every cell is one of ``allowed`` (a quick whole-column screen)."""
    data = array.buffers()[2]
    if data is None or data.size == 0:
        return True
    buffer = np.frombuffer(data, dtype=np.uint8)
    lowest, highest = min(allowed), max(allowed)
    if buffer.min() < lowest or buffer.max() > highest:
        return False
    holes = set(range(lowest, highest + 1)) - set(allowed)
    if len(holes) <= 4:
        return not any(np.count_nonzero(buffer == hole) for hole in holes)
    table = np.zeros(256, dtype=bool)
    table[list(allowed)] = True
    return bool(table[buffer].all())


def _blank_to_null(trimmed: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(trimmed, _large("")), pa.scalar(None, pa.large_string()), trimmed)


_DIGITS = b"0123456789"
_SIGNED_INTEGER_BYTES = _DIGITS + b"-"
_SIGNED_DECIMAL_BYTES = _DIGITS + b".+-"
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_ASCII = bytes(range(0x80))
_ALPHANUMERIC = (
    _DIGITS + bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))
)


def _with_exponent_suffix(texts: pa.Array) -> pa.Array:
    for pattern, exponent in _SUFFIX_EXPONENTS:
        texts = pc.replace_substring_regex(texts, pattern=pattern, replacement=exponent)
    return texts


# --- numbers -------------------------------------------------------------------------------

_PLAIN_INTEGER = r"^-?\d{1,18}$"  # pyarrow refuses "+7": the scalar parser takes it
_GROUPED_INTEGER = r"^[1-9]\d{0,2}(,\d{3}){1,5}$"
# At most 15 significant digits, so that float("d.ddde6") and "is it whole?" are both exact.
_SUFFIXED_INTEGER = r"^\d{1,12}(\.\d{1,3})?[kKmMbB]$"
# Exponents of 0–29 only: the scalar parser refuses larger ones.
_PLAIN_DECIMAL = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?[0-2]?\d)?$"
_PLAIN_DECIMAL_NO_EXPONENT = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_GROUPED_DECIMAL = r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$"
_SUFFIXED_DECIMAL = r"^[+-]?\d{1,15}(\.\d{1,15})?[kKmMbB]$"
_PERCENT = r"^[+-]?(\d+\.?\d*|\.\d+) ?%$"


def parse_count_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Exact whole counts (Int64) — the column version of ``values.parse_count``."""
    trimmed = _trimmed(series)
    if _only_bytes(trimmed, _SIGNED_INTEGER_BYTES):  # the clean case: plain integers or blanks
        parsed = _cast(_blank_to_null(trimmed), pa.int64(), keep_nulls=True)
        if parsed is not None:
            numbers, missing = parsed
            array = pd.arrays.IntegerArray(numbers, missing)
            return pd.Series(array, index=series.index, copy=False), _problems(series, {})
    numbers = np.zeros(len(trimmed), dtype=np.int64)
    missing = np.ones(len(trimmed), dtype=bool)
    pending = _present(trimmed, _NUMERIC_NULLS)

    def take(mask: np.ndarray, texts: pa.Array, *, via_float: bool = False) -> None:
        parsed = _cast(texts, pa.float64() if via_float else pa.int64())
        if parsed is None:
            return
        usable = np.ones(parsed.size, dtype=bool)
        if via_float:
            usable = (np.floor(parsed) == parsed) & (np.abs(parsed) < _EXACT_FLOAT_LIMIT)
        where = np.flatnonzero(mask)[usable]
        numbers[where] = parsed[usable].astype(np.int64)
        missing[where] = False
        pending[where] = False

    plain = pending & _matches(trimmed, _PLAIN_INTEGER)
    if plain.any():
        take(plain, trimmed.filter(pa.array(plain)))
    grouped = pending & _matches(trimmed, _GROUPED_INTEGER)
    if grouped.any():
        take(grouped, pc.replace_substring(trimmed.filter(pa.array(grouped)), ",", ""))
    suffixed = pending & _matches(trimmed, _SUFFIXED_INTEGER)
    if suffixed.any():
        texts = _with_exponent_suffix(trimmed.filter(pa.array(suffixed)))
        take(suffixed, texts, via_float=True)

    distinct = _Distinct(trimmed, np.flatnonzero(pending), values.parse_count)
    if distinct.positions.size:
        parsed = np.array([0 if value is None else value for value in distinct.parsed], np.int64)
        known = np.array([value is not None for value in distinct.parsed], dtype=bool)
        numbers[distinct.positions] = parsed[distinct.codes]
        missing[distinct.positions] = ~known[distinct.codes]
    array = pd.arrays.IntegerArray(numbers, missing)
    return pd.Series(array, index=series.index, copy=False), _problems(series, distinct.failures())


def parse_decimal_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Decimals as Float64 (``8.7m`` allowed) — the column version of ``values.parse_decimal``."""
    return _float_series(series, "decimal")


def parse_fraction_series(
    series: pd.Series, *, bare_is_percent: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Rates as Float64 fractions (``1.39%`` → 0.0139) — ``values.parse_percent`` per column."""
    return _float_series(series, "percent" if bare_is_percent else "fraction")


def _float_series(
    series: pd.Series, mode: Literal["decimal", "fraction", "percent"]
) -> tuple[pd.Series, pd.Series]:
    trimmed = _trimmed(series)
    allowed = _SIGNED_DECIMAL_BYTES if mode == "decimal" else _SIGNED_DECIMAL_BYTES + b"%"
    if _only_bytes(trimmed, allowed):  # the clean case: plain decimals (or percents) or blanks
        texts = _blank_to_null(trimmed)
        if mode != "decimal":
            # "1.39%" and, in a percent column, "1.39" become "1.39e-2": exact, no division.
            with_sign = pc.ends_with(texts, "%")
            bodies = pc.if_else(with_sign, pc.utf8_slice_codeunits(texts, 0, -1), texts)
            scaled = pc.binary_join_element_wise(bodies, _large("e-2"), _large(""))
            texts = scaled if mode == "percent" else pc.if_else(with_sign, scaled, texts)
        parsed = _cast(texts, pa.float64(), keep_nulls=True)
        if parsed is not None:
            array = pd.arrays.FloatingArray(*parsed)
            return pd.Series(array, index=series.index, copy=False), _problems(series, {})
    numbers = np.zeros(len(trimmed), dtype=np.float64)
    missing = np.ones(len(trimmed), dtype=bool)
    pending = _present(trimmed, _NUMERIC_NULLS)

    def take(mask: np.ndarray, texts: pa.Array) -> None:
        parsed = _cast(texts, pa.float64())
        if parsed is None:
            return
        finite = np.isfinite(parsed)
        where = np.flatnonzero(mask)[finite]
        numbers[where] = parsed[finite]
        missing[where] = False
        pending[where] = False

    if mode == "decimal":
        for pattern in (_PLAIN_DECIMAL, _GROUPED_DECIMAL, _SUFFIXED_DECIMAL):
            mask = pending & _matches(trimmed, pattern)
            if mask.any():
                texts = trimmed.filter(pa.array(mask))
                if pattern == _GROUPED_DECIMAL:
                    texts = pc.replace_substring(texts, ",", "")
                elif pattern == _SUFFIXED_DECIMAL:
                    texts = _with_exponent_suffix(texts)
                take(mask, texts)
    else:
        plain = pending & _matches(trimmed, _PLAIN_DECIMAL_NO_EXPONENT)
        if plain.any():
            texts = trimmed.filter(pa.array(plain))
            if mode == "percent":
                texts = pc.binary_join_element_wise(texts, _large("e-2"), _large(""))
            take(plain, texts)
        percents = pending & _matches(trimmed, _PERCENT)
        if percents.any():
            texts = trimmed.filter(pa.array(percents))
            take(percents, pc.replace_substring_regex(texts, pattern=" ?%$", replacement="e-2"))

    if mode == "decimal":
        parse: Callable[[str], Any] = values.parse_decimal
    else:

        def parse(text: str) -> Any:
            return values.parse_percent(text, bare_is_percent=mode == "percent")

    distinct = _Distinct(trimmed, np.flatnonzero(pending), parse)
    failures = distinct.failures()
    if distinct.positions.size:
        parsed = np.array(
            [np.nan if value is None else float(value) for value in distinct.parsed], np.float64
        )
        known = np.isfinite(parsed)
        numbers[distinct.positions] = np.where(known, parsed, 0.0)[distinct.codes]
        missing[distinct.positions] = ~known[distinct.codes]
        for code in np.flatnonzero(np.isinf(parsed)):
            for position in distinct.positions[distinct.codes == code]:
                failures[int(position)] = "number too large"
    array = pd.arrays.FloatingArray(numbers, missing)
    return pd.Series(array, index=series.index, copy=False), _problems(series, failures)


# --- text and codes ------------------------------------------------------------------------


def _text_column(
    series: pd.Series,
    parse: Callable[[str], str | None],
    *,
    fast_pattern: str | None = None,
    fast_transform: Callable[[pa.Array], pa.Array] | None = None,
    nulls: pa.Array = _TEXT_NULLS,
    extra_fast: Callable[[pa.Array], np.ndarray] | None = None,
    max_fast_length: int | None = None,
    fast_bytes: bytes | None = None,
    slow_pattern: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """A string column: cells matching ``fast_pattern`` are kept (after ``fast_transform``),
    every other present cell goes through ``parse`` once per distinct text. When every byte of
    the column is in ``fast_bytes`` (and cells are short enough) the pattern need not run."""
    trimmed = _trimmed(series)
    present = _present(trimmed, nulls)
    fast = np.zeros(len(trimmed), dtype=bool)
    screened = (
        fast_bytes is not None
        and _only_bytes(trimmed, fast_bytes)
        and (
            max_fast_length is None
            or len(trimmed) == 0
            or pc.max(pc.utf8_length(trimmed)).as_py() <= max_fast_length
        )
    )
    if screened:
        fast = present.copy()
    elif fast_pattern is not None:
        fast = present & _matches(trimmed, fast_pattern)
    if extra_fast is not None and not screened:
        fast |= present & extra_fast(trimmed)
    if max_fast_length is not None and not screened:
        fast &= _mask(pc.less_equal(pc.utf8_length(trimmed), max_fast_length))
    if slow_pattern is not None and not screened and fast.any():
        fast &= ~_matches(trimmed, slow_pattern)
    distinct = _Distinct(trimmed, np.flatnonzero(present & ~fast), parse)
    if distinct.positions.size == len(trimmed):  # every cell parsed one by one (codes columns)
        result = distinct.arrow(pa.large_string())
    elif fast.all():
        result = trimmed if fast_transform is None else fast_transform(trimmed)
    else:
        base = trimmed if fast_transform is None else fast_transform(trimmed)
        result = pc.if_else(pa.array(fast), base, pa.scalar(None, pa.large_string()))
    if 0 < distinct.positions.size < len(trimmed):
        slow = np.zeros(len(trimmed), dtype=bool)
        slow[distinct.positions] = True
        result = pc.replace_with_mask(result, pa.array(slow), distinct.arrow(pa.large_string()))
    column = pd.Series(pd.arrays.ArrowStringArray(result), index=series.index, copy=False)
    return column, _problems(series, distinct.failures())


def _handle_transform(trimmed: pa.Array) -> pa.Array:
    return pc.ascii_lower(pc.replace_substring_regex(trimmed, pattern="^@", replacement=""))


def parse_handle_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalised handles — the column version of ``values.parse_handle``."""
    return _text_column(
        series,
        values.parse_handle,
        fast_pattern=r"^@?[A-Za-z0-9._-]{1,100}$",
        fast_transform=_handle_transform,
        fast_bytes=_ALPHANUMERIC + b"._-",
        max_fast_length=values.MAX_HANDLE_LENGTH,
    )


def _plain_ascii_text(trimmed: pa.Array) -> np.ndarray:
    return _mask(pc.string_is_ascii(trimmed)) & ~_matches(trimmed, r"[\x00-\x1f\x7f]")


def parse_text_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text (names, bios) — the column version of ``values.parse_text``; never fails."""
    return _text_column(
        series, values.parse_text, extra_fast=_plain_ascii_text, fast_bytes=_PRINTABLE_ASCII
    )


def parse_external_id_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Account ids kept as text — the column version of ``values.parse_external_id``."""
    return _text_column(
        series,
        values.parse_external_id,
        fast_pattern=r"^[A-Za-z0-9_-]{1,200}$",
        fast_bytes=_DIGITS,  # plain numeric ids; others run the pattern and the check below
        max_fast_length=200,
        slow_pattern=r"^\d+(\.\d+)?[eE][+-]?\d+$",  # 1.78414E+16: a rounded float, refused
    )


def parse_email_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Contact e-mail addresses — the column version of ``values.parse_email``."""
    return _text_column(
        series,
        values.parse_email,
        fast_pattern=r"^[A-Za-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$",
    )


def parse_url_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Web addresses — the column version of ``values.parse_url``."""
    return _text_column(
        series,
        values.parse_url,
        fast_pattern=r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s]*)?$",
    )


def parse_categories_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Categories — the column version of ``values.parse_categories``."""
    return _text_column(
        series,
        values.parse_categories,
        fast_pattern=r"^[a-z0-9&]+( [a-z0-9&]+)*$",
        max_fast_length=values.MAX_CATEGORY_LENGTH,
    )


def parse_platform_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Platform names — the column version of ``values.parse_platform``."""
    return _text_column(series, values.parse_platform)


def parse_country_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 3166-1 alpha-2 codes — the column version of ``values.parse_country``."""
    return _text_column(series, values.parse_country)


def parse_language_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 639-1 codes — the column version of ``values.parse_language``."""
    return _text_column(series, values.parse_language)


def parse_currency_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 4217 codes — the column version of ``values.parse_currency``."""
    return _text_column(series, values.parse_currency)


def parse_price_series(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Prices as exact decimal text, the currency their symbol names (or NA), and problems.

    Returns ``(prices, currencies, problems)``.
    """
    trimmed = _trimmed(series)
    present_mask = _present(trimmed, _NUMERIC_NULLS)
    # Plain amounts already in their canonical form ("1500", "99.99") need no parsing.
    plain = present_mask & _matches(trimmed, r"^(0|[1-9]\d{0,17})(\.\d{0,17}[1-9])?$")
    present = np.flatnonzero(present_mask & ~plain)
    distinct = _Distinct(trimmed, present, values.parse_price)
    prices = [
        None if p is None or p[0] is None else values.decimal_text(p[0]) for p in distinct.parsed
    ]
    currencies = [None if p is None else p[1] for p in distinct.parsed]
    columns = []
    for parsed, fast in ((prices, trimmed), (currencies, None)):
        result = pa.nulls(len(trimmed), pa.large_string())
        if fast is not None and plain.any():
            result = pc.if_else(pa.array(plain), fast, result)
        if present.size:
            mask = np.zeros(len(trimmed), dtype=bool)
            mask[present] = True
            taken = pa.array(parsed, type=pa.large_string()).take(pa.array(distinct.codes))
            result = pc.replace_with_mask(result, pa.array(mask), taken)
        columns.append(pd.Series(pd.arrays.ArrowStringArray(result), index=series.index))
    return columns[0], columns[1], _problems(series, distinct.failures())


def parse_date_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates (``date32`` Arrow dtype) — the column version of ``values.parse_date``."""
    trimmed = _trimmed(series)
    present = np.flatnonzero(_present(trimmed, _TEXT_NULLS))
    distinct = _Distinct(trimmed, present, values.parse_date)
    result = pa.nulls(len(trimmed), pa.date32())
    if present.size:
        mask = np.zeros(len(trimmed), dtype=bool)
        mask[present] = True
        result = pc.replace_with_mask(result, pa.array(mask), distinct.arrow(pa.date32()))
    column = pd.Series(pd.arrays.ArrowExtensionArray(result), index=series.index, copy=False)
    return column, _problems(series, distinct.failures())
