"""Importing metrics: any export file in, canonical rows and a row-error report out.

This package is pure (pandas and pyarrow, no Django): the database half (staging COPY,
upserts, import jobs) is built on top of it. The public API, by module:

``pipeline`` — the entry points
    ``prepare(source, *, today, format=None, platform=None, mapping=None, as_of=None,
    handle=None) -> PreparedImport``: iterate it for ``PreparedChunk(good, errors,
    rows_read)``; ``preview(source, ...) -> Preview`` (detected mapping, first 20 rows);
    ``read_all(prepared) -> (good, errors)``; ``FORMATS``.
``canonical`` — ``CANONICAL_COLUMNS``, ``CANONICAL_DTYPES``, ``to_canonical``.
``validation`` — ``validate(frame, *, today, problems=None, columns=None, duplicates=None)
    -> (good, errors)`` and ``DuplicateTracker``.
``error_report`` — ``ERROR_COLUMNS`` (line, column, field, value, reason, severity).
``readers`` — ``read_table(source, *, format=None, exclude=None) -> TableReader``.
``api_exports`` — ``read_api_export``, ``combine_exports``, ``detect_api_format``.
``aliases`` — ``detect_mapping(headers)``, ``infer_platform(headers)``, ``is_protected``,
    ``MAPPING_TARGETS``, ``EXCLUDED``.
``values`` — strict scalar parsers: ``parse_count``, ``parse_percent``, ``parse_decimal``,
    ``parse_handle``, ``parse_country``, ``parse_language``, ``parse_currency``,
    ``parse_price``, ``parse_date``… raising ``ValueParseError``.
``column_parsers`` — the same, vectorised over a Series: ``parse_count_series`` etc. return
    ``(values, problems)``.
``exceptions`` — ``ImportFileError`` (the whole file is unreadable: one-line reason) and
    ``ValueParseError`` (one cell).

The canonical CSV format and the alias table are documented in docs/import-format.md;
``template.csv`` beside this file is the downloadable template.
"""

from .canonical import CANONICAL_COLUMNS, CANONICAL_DTYPES
from .error_report import ERROR_COLUMNS
from .exceptions import ImportFileError, ValueParseError
from .pipeline import FORMATS, PreparedChunk, PreparedImport, Preview, prepare, preview, read_all

__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_DTYPES",
    "ERROR_COLUMNS",
    "FORMATS",
    "ImportFileError",
    "PreparedChunk",
    "PreparedImport",
    "Preview",
    "ValueParseError",
    "prepare",
    "preview",
    "read_all",
]
