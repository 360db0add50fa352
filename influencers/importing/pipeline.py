"""The one entry point: a file in, canonical rows and an error report out, chunk by chunk.

``prepare(source, today=…)`` opens the file, detects its format and column mapping, and
returns a ``PreparedImport``: its attributes say what was detected, and iterating it yields
``PreparedChunk(good, errors)`` — the rows that can land and the report of the others — with
memory bounded by the reader's block size. ``preview(source)`` does the same for the first
rows only, for the mapping step of the upload page.

Formats: ``csv``, ``tsv``, ``xlsx``, ``canonical`` (our own CSV, see docs/import-format.md)
and the API exports ``instagram_graph``, ``youtube_channels``, ``youtube_videos``,
``tiktok_user_info``, ``tiktok_videos``; detected from the content when ``format`` is None.
Several JSON exports of the same accounts (a profile and its media pages) can be passed
together as a list, or as one .zip archive of them (``archives``).

A file that cannot be read at all raises ``ImportFileError`` with a one-line reason, when
``prepare`` is called (not later, as far as the header and first block allow).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from . import aliases, archives
from .aliases import EXCLUDED, MAPPING_TARGETS, MULTI_SOURCE_FIELDS, detect_mapping, field_of
from .api_exports import (
    API_FORMATS,
    FindHandles,
    api_source,
    combine_exports,
    format_platform,
    load_json,
    read_api_export,
)
from .canonical import CANONICAL_COLUMNS, empty_canonical_frame, field_sources, to_canonical
from .error_report import ERROR, concat_errors, error_frame
from .exceptions import ImportFileError
from .readers import (
    DEFAULT_BLOCK_BYTES,
    SOURCE_LINE,
    RawChunk,
    Source,
    TableReader,
    peek,
    read_table,
    sniff_kind,
)
from .validation import DuplicateTracker, validate
from .values import PLATFORMS

TABLE_FORMATS = ("csv", "tsv", "xlsx", "canonical")
FORMATS = (*TABLE_FORMATS, *API_FORMATS)
PREVIEW_ROWS = 20


@dataclass(frozen=True)
class PreparedChunk:
    """Consecutive rows of the file: those that land, and the report of the others."""

    good: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int

    @property
    def rejected(self) -> int:
        """How many rows of this chunk were rejected (duplicates included)."""
        return int(self.errors.loc[self.errors["severity"] == ERROR, "line"].nunique())


@dataclass
class PreparedImport:
    """What ``prepare`` detected; iterate it (once) for the chunks."""

    format: str
    platform: str | None
    mapping: dict[str, str | None]
    headers: list[str]
    notes: list[str] = field(default_factory=list)
    delimiter: str | None = None
    posts: pd.DataFrame | None = None  # API exports: the per-post data behind the averages
    rows: pd.DataFrame | None = None  # API exports: every canonical row, rejected ones included
    _chunks: Iterator[PreparedChunk] | None = None
    _reader: TableReader | None = None
    _encoding: str | None = None

    @property
    def encoding(self) -> str | None:
        """The text encoding (final once the file has been read: cp1252 shows up late)."""
        return self._reader.encoding if self._reader is not None else self._encoding

    @property
    def excluded(self) -> list[str]:
        """Headers never read because they describe protected personal traits."""
        return [header for header, target in self.mapping.items() if target == EXCLUDED]

    def columns(self) -> list[dict[str, str | None]]:
        """One entry per header, for the mapping step: header, target and status
        (``mapped``, ``not imported``, ``protected: never imported``)."""
        return _columns(self.mapping)

    def __iter__(self) -> Iterator[PreparedChunk]:
        if self._chunks is None:
            raise RuntimeError("a prepared import can be read only once")
        chunks, self._chunks = self._chunks, None
        return chunks

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def _columns(mapping: Mapping[str, str | None]) -> list[dict[str, str | None]]:
    return [
        {"header": header, "target": target, "status": _status(header, target)}
        for header, target in mapping.items()
    ]


def _status(header: str, target: str | None) -> str:
    if target == EXCLUDED:
        return "protected: never imported"
    if target is None:
        known = aliases.header_key(header) in aliases.IGNORED_HEADERS
        return "recognised, not imported" if known else "not imported"
    return "mapped"


def _sources(source: Source | Sequence[Source]) -> list[Source]:
    """The files to read: a list as given, each .zip archive replaced by its files."""
    sources = list(source) if isinstance(source, list | tuple) else [source]
    if not sources:
        raise ImportFileError("no file given")
    return archives.expand(sources)


def _reader_format(format: str | None) -> str | None:
    """The format ``read_table`` is told: only TSV and XLSX are not found from the content."""
    return format if format in ("tsv", "xlsx") else None


def _kind_of(source: Source, format: str | None) -> str:
    """``json`` or ``table``, from the format or the first bytes of the file."""
    if format in API_FORMATS:
        return "json"
    if format in TABLE_FORMATS:
        return "table"
    if format is not None:
        raise ImportFileError(f"unknown format {format!r} (one of {', '.join(FORMATS)})")
    head = peek(source, 4096)
    if head is None:
        raise ImportFileError("the upload cannot be read twice: pass a path or bytes")
    return "json" if sniff_kind(head) == "json" else "table"


def _check_mapping(
    headers: list[str], excluded: list[str], overrides: Mapping[str, str | None]
) -> None:
    for header, target in overrides.items():
        if header not in headers and header not in excluded:
            raise ImportFileError(f"the mapping names a column the file does not have: {header!r}")
        if target is not None and target not in MAPPING_TARGETS:
            raise ImportFileError(
                f"{target!r} is not a column we import (one of {', '.join(MAPPING_TARGETS)})"
            )
        if target is not None and header in excluded:
            raise ImportFileError(
                f"column {header!r} describes a protected personal trait and is never imported"
            )


def resolve_mapping(
    headers: list[str],
    excluded: list[str],
    overrides: Mapping[str, str | None] | None = None,
    *,
    canonical: bool = False,
) -> dict[str, str | None]:
    """The detected mapping of ``headers`` with the user's ``overrides`` applied."""
    if canonical:
        mapping: dict[str, str | None] = {
            header: header if header in MAPPING_TARGETS else None for header in headers
        }
    else:
        mapping = detect_mapping(headers)
    if overrides:
        _check_mapping(headers, excluded, overrides)
        mapping.update({h: t for h, t in overrides.items() if h not in excluded})
    claimed: dict[str, str] = {}
    for header, target in mapping.items():
        destination = field_of(target)
        if destination is None or destination in MULTI_SOURCE_FIELDS:
            continue
        if destination in claimed:
            raise ImportFileError(
                f"columns {claimed[destination]!r} and {header!r} are both mapped to {destination}"
            )
        claimed[destination] = header
    mapping.update(dict.fromkeys(excluded, EXCLUDED))
    return mapping


def _is_canonical(headers: list[str]) -> bool:
    names = {header.strip().casefold() for header in headers}
    return bool(names) and names <= set(CANONICAL_COLUMNS) and "handle" in names


def _platform_of(
    platform: str | None, mapping: Mapping[str, str | None], headers: list[str]
) -> str | None:
    if platform is not None:
        if platform not in PLATFORMS:
            raise ImportFileError(f"unknown platform {platform!r} (one of {', '.join(PLATFORMS)})")
        return platform
    if "platform" in mapping.values():
        return None  # each row says
    return aliases.infer_platform(headers)


def _display_columns(mapping: Mapping[str, str | None]) -> dict[str, str]:
    return {
        field_name: " + ".join(headers)
        for field_name, headers in field_sources(
            {h: t for h, t in mapping.items() if t != EXCLUDED}
        ).items()
    }


def _prepare_chunk(
    raw: RawChunk,
    mapping: Mapping[str, str | None],
    *,
    platform: str | None,
    as_of: date,
    today: date,
    duplicates: DuplicateTracker,
) -> PreparedChunk:
    frame, problems = to_canonical(raw.frame, mapping, platform=platform, as_of=as_of)
    reader_errors = int((raw.problems["severity"] == ERROR).sum())
    good, errors = validate(
        frame,
        today=today,
        problems=concat_errors([raw.problems, problems]),
        columns=_display_columns(mapping),
        duplicates=duplicates,
    )
    return PreparedChunk(good, errors, len(raw.frame) + reader_errors)


def prepare(
    source: Source | Sequence[Source],
    *,
    today: date,
    format: str | None = None,
    platform: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    as_of: date | None = None,
    handle: str | None = None,
    find_handles: FindHandles | None = None,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
) -> PreparedImport:
    """Open ``source`` and get ready to import it; iterate the result for the chunks.

    - ``today``: the date against which as_of dates are "in the future".
    - ``format``: one of ``FORMATS``; detected from the content when None.
    - ``platform``: the platform of every row without its own platform cell; needed when the
      file has no platform column and its headers do not name one.
    - ``mapping``: header → mapping target (or None) overriding the detected mapping.
    - ``as_of``: the date of rows without their own as_of cell (default: ``today``).
    - ``handle``: the account of an API export that does not name it (TikTok Research API).
    - ``find_handles``: ``(platform, external ids) -> {external id: handle}`` of accounts
      known elsewhere (the database), for API exports that name an account only by its id
      (videos.list, media pages imported without their profile).

    ``source`` may be a list of files, or a .zip archive of them: several API exports of the
    same accounts are combined into one row per account.
    """
    sources = _sources(source)
    kinds = {_kind_of(item, format) for item in sources}
    if "json" in kinds:
        if kinds != {"json"}:
            raise ImportFileError("only API exports (JSON) can be imported together")
        return _prepare_api(
            sources,
            today=today,
            format=format,
            as_of=as_of,
            handle=handle,
            find_handles=find_handles,
        )
    if len(sources) > 1:
        raise ImportFileError("import one table at a time")
    try:
        reader = read_table(
            sources[0],
            format=_reader_format(format),
            block_bytes=block_bytes,
            exclude=aliases.is_protected,
        )
    except OSError as error:
        raise ImportFileError(f"cannot read the file: {error}") from error
    canonical = format == "canonical" or (format is None and _is_canonical(reader.headers))
    resolved = resolve_mapping(reader.headers, reader.excluded, mapping, canonical=canonical)
    notes = list(reader.notes)
    if canonical:
        unknown = [header for header, target in resolved.items() if target is None]
        if unknown and format == "canonical":
            notes.append(f"Not canonical columns, ignored: {', '.join(unknown)}.")
    if "handle" not in resolved.values():
        reader.close()
        raise ImportFileError("no column holds the account handle: map one to handle")
    chosen_platform = _platform_of(platform, resolved, reader.headers)
    if chosen_platform is None and "platform" not in resolved.values():
        reader.close()
        raise ImportFileError(
            "the file does not say which platform its accounts are on: choose one "
            f"({', '.join(PLATFORMS)}) or add a platform column"
        )
    if as_of is None:
        notes.append(f"Rows without their own date are dated {today.isoformat()} (today).")
    columns = [header for header, target in resolved.items() if target not in (None, EXCLUDED)]
    duplicates = DuplicateTracker()

    def chunks() -> Iterator[PreparedChunk]:
        try:
            for raw in reader.chunks(columns):
                yield _prepare_chunk(
                    raw,
                    resolved,
                    platform=chosen_platform,
                    as_of=as_of or today,
                    today=today,
                    duplicates=duplicates,
                )
        except OSError as error:
            raise ImportFileError(f"reading the file failed: {error}") from error
        finally:
            reader.close()

    return PreparedImport(
        format="canonical" if canonical else reader.format,
        platform=chosen_platform,
        mapping=resolved,
        headers=[*reader.headers, *reader.excluded],
        notes=notes,
        delimiter=reader.delimiter,
        _chunks=chunks(),
        _reader=reader,
    )


def _prepare_api(
    sources: list[Source],
    *,
    today: date,
    format: str | None,
    as_of: date | None,
    handle: str | None,
    find_handles: FindHandles | None,
) -> PreparedImport:
    exports = [read_api_export(item, format=format, handle=handle) for item in sources]
    frame, problems, posts, notes = combine_exports(
        exports, as_of=as_of or today, find_handles=find_handles
    )
    good, errors = validate(frame, today=today, problems=problems)
    formats = sorted({export.format for export in exports})
    platforms = {format_platform(export.format) for export in exports}
    chunk = PreparedChunk(good, errors, len(frame))
    return PreparedImport(
        format="+".join(formats),
        platform=platforms.pop() if len(platforms) == 1 else None,
        mapping={},
        headers=[],
        notes=notes,
        posts=posts,
        rows=frame,
        _chunks=iter([chunk]),
        _encoding="utf-8",
    )


@dataclass(frozen=True)
class Preview:
    """The mapping step's view of a file: what was detected and its first rows."""

    format: str
    platform: str | None
    mapping: dict[str, str | None]
    columns: list[dict[str, str | None]]
    encoding: str | None
    delimiter: str | None
    notes: list[str]
    sample: pd.DataFrame  # the first rows as text, as in the file (plus source_line)
    rows: pd.DataFrame  # the same rows in canonical form, rejected ones included
    errors: pd.DataFrame  # their error report: which rows would be rejected, and why


def preview(
    source: Source | Sequence[Source],
    *,
    format: str | None = None,
    platform: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    as_of: date | None = None,
    handle: str | None = None,
    find_handles: FindHandles | None = None,
    today: date | None = None,
    rows: int = PREVIEW_ROWS,
) -> Preview:
    """Detect the format and mapping and prepare the first ``rows`` rows, without raising
    for what the user can still fix on the mapping page (no handle column, no platform)."""
    today = today or datetime.now(UTC).date()
    sources = _sources(source)
    if "json" in {_kind_of(item, format) for item in sources}:
        prepared = prepare(
            sources,
            today=today,
            format=format,
            as_of=as_of,
            handle=handle,
            find_handles=find_handles,
        )
        chunk = next(iter(prepared))
        return Preview(
            format=prepared.format,
            platform=prepared.platform,
            mapping={},
            columns=[],
            encoding="utf-8",
            delimiter=None,
            notes=prepared.notes,
            sample=pd.DataFrame(),
            rows=prepared.rows if prepared.rows is not None else chunk.good,
            errors=chunk.errors,
        )
    if len(sources) > 1:
        raise ImportFileError("import one table at a time")
    reader = read_table(
        sources[0],
        format=_reader_format(format),
        block_bytes=1024 * 1024,
        exclude=aliases.is_protected,
    )
    with reader:
        canonical = format == "canonical" or (format is None and _is_canonical(reader.headers))
        resolved = resolve_mapping(reader.headers, reader.excluded, mapping, canonical=canonical)
        notes = list(reader.notes)
        chosen_platform = _platform_of(platform, resolved, reader.headers)
        if "handle" not in resolved.values():
            notes.append("No column holds the account handle: map one to handle.")
        if chosen_platform is None and "platform" not in resolved.values():
            notes.append("The file does not say which platform its accounts are on: choose one.")
        first: RawChunk | None = next(iter(reader.chunks(reader.headers)), None)
    sample = first.frame.head(rows) if first is not None else pd.DataFrame()
    canonical_rows, errors = empty_canonical_frame(), error_frame()
    if first is not None and len(sample):
        last_line = sample[SOURCE_LINE].max()
        reader_problems = first.problems[(first.problems["line"] <= last_line).fillna(True)]
        canonical_rows, problems = to_canonical(
            sample, resolved, platform=chosen_platform, as_of=as_of or today
        )
        _, errors = validate(
            canonical_rows,
            today=today,
            problems=concat_errors([reader_problems, problems]),
            columns=_display_columns(resolved),
        )
    return Preview(
        format="canonical" if canonical else reader.format,
        platform=chosen_platform,
        mapping=resolved,
        columns=_columns(resolved),
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        notes=notes,
        sample=sample,
        rows=canonical_rows,
        errors=errors,
    )


def default_source(source: Source | Sequence[Source]) -> str | None:
    """The API a set of files comes from ("YouTube Data API") when they are all recorded
    responses of one platform's API, else None (a table, mixed platforms, unreadable).

    Successive imports of one API then share a source by default, so a videos.list imported
    after its channels.list completes the same snapshots instead of starting new ones. A file
    object is read and rewound.
    """
    try:
        sources = _sources(source)
        if {_kind_of(item, None) for item in sources} != {"json"}:
            return None
        return api_source(load_json(_rewound_bytes(item))[0] for item in sources)
    except ImportFileError:
        return None


def _rewound_bytes(source: Source) -> Source:
    if isinstance(source, str | Path | bytes | bytearray | memoryview):
        return source
    position = source.tell()
    data = source.read()
    source.seek(position)
    return data


def read_all(prepared: PreparedImport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate every chunk: ``(good, errors)``. For tests and small files only."""
    goods: list[pd.DataFrame] = []
    errors: list[pd.DataFrame] = []
    for chunk in prepared:
        goods.append(chunk.good)
        errors.append(chunk.errors)
    good = pd.concat(goods, ignore_index=True) if goods else empty_canonical_frame()
    return good, concat_errors(errors)


__all__: list[str] = [
    "FORMATS",
    "PreparedChunk",
    "PreparedImport",
    "Preview",
    "default_source",
    "prepare",
    "preview",
    "read_all",
    "resolve_mapping",
]
