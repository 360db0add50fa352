"""Importing metrics: any export file in, canonical rows and a row-error report out.

This package is pure (pandas and pyarrow, no Django): the database half (staging COPY,
upserts, import jobs) is built on top of it. The public API, by module:

``pipeline`` — the entry points
    ``prepare(source, *, today, format=None, platform=None, mapping=None, as_of=None,
    handle=None, find_handles=None, block_bytes=8 MiB) -> PreparedImport`` (format,
    platform, mapping, excluded, notes, encoding; iterate it once for
    ``PreparedChunk(good, errors, rows_read)`` with ``.rejected``); ``preview(source, ...)
    -> Preview`` (the mapping with a status per header, the first 20 rows as text and in
    canonical form, their errors);
    ``read_all(prepared) -> (good, errors)``; ``default_source(source)`` (the API of API
    exports); ``FORMATS``. ``source`` is a path, bytes, a binary file object, or a list of
    JSON API exports to combine (a .zip archive of them too); ``find_handles`` looks up
    accounts an export names only by their platform id.
``archives`` — ``expand(sources)``: each .zip archive replaced by the files it holds.
``canonical`` — ``CANONICAL_COLUMNS``, ``CANONICAL_DTYPES``, ``to_canonical``.
``validation`` — ``validate(frame, *, today, problems=None, columns=None, duplicates=None)
    -> (good, errors)`` and ``DuplicateTracker``.
``error_report`` — ``ERROR_COLUMNS`` (line, column, field, value, reason, severity).
``readers`` — ``read_table(source, *, format=None, exclude=None) -> TableReader``.
``api_exports`` — ``read_api_export``, ``combine_exports``, ``detect_api_format``,
    ``api_source``.
``aliases`` — ``detect_mapping(headers)``, ``infer_platform(headers)``, ``is_protected``,
    ``MAPPING_TARGETS``, ``EXCLUDED``.
``values`` — strict scalar parsers: ``parse_count``, ``parse_percent``, ``parse_decimal``,
    ``parse_handle``, ``parse_country``, ``parse_language``, ``parse_currency``,
    ``parse_price``, ``parse_date``… raising ``ValueParseError``.
``column_parsers`` — the same, vectorised over a Series: ``parse_count_series`` etc. return
    ``(values, problems)``.
``exceptions`` — ``ImportFileError`` (the whole file is unreadable: one-line reason) and
    ``ValueParseError`` (one cell).
``iso_codes`` — ISO 3166-1, 639-1 and 4217 tables (data only).

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
