"""Several files of one export in one upload: a .zip archive is read as the files it holds.

An API export comes as several responses (a profile and its media pages, channels.list and
videos.list…) that only make complete rows together. They can be given as a list of sources
or as one .zip archive of them; ``expand`` turns either into the list of files, in the
archive's order. An XLSX workbook is a zip archive too: it is recognised by its
``[Content_Types].xml`` part and left whole.

Archive members are read into memory (bounded by ``MAX_UNPACKED_BYTES`` in all, checked on
the bytes actually inflated, not on what the archive claims); folders, hidden files and
macOS resource forks (``__MACOSX/``) are skipped. An archive inside the archive, an
encrypted member or a damaged archive refuses the whole import with a one-line reason.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import IO

from .exceptions import ImportFileError
from .readers import Source, peek

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
OOXML_MARKER = "[Content_Types].xml"
MAX_MEMBERS = 200
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


def _name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", None) or "upload")


def _open(source: Source) -> zipfile.ZipFile:
    target: str | Path | IO[bytes]
    if isinstance(source, bytes | bytearray | memoryview):
        target = io.BytesIO(bytes(source))
    else:
        target = source
    try:
        return zipfile.ZipFile(target)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"{_name(source)} is not a readable zip archive") from error


def is_archive(source: Source) -> bool:
    """True for a .zip archive of files; False for anything else, an XLSX workbook included."""
    # A stream that cannot be rewound is read once as it is: the table and JSON readers say
    # what it is.
    if not (peek(source, 4) or b"").startswith(ZIP_MAGIC):
        return False
    is_stream = not isinstance(source, str | Path | bytes | bytearray | memoryview)
    position = source.tell() if is_stream else 0
    with _open(source) as archive:
        is_workbook = OOXML_MARKER in archive.namelist()
    if is_stream:
        source.seek(position)
    return not is_workbook


def _skipped(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in parts)


def _members(source: Source, budget: int) -> tuple[list[Source], int]:
    name = _name(source)
    files: list[Source] = []
    with _open(source) as archive:
        infos = [info for info in archive.infolist() if not _skipped(info)]
        if not infos:
            raise ImportFileError(f"{name} holds no files")
        if len(infos) > MAX_MEMBERS:
            raise ImportFileError(f"{name} holds {len(infos)} files; at most {MAX_MEMBERS}")
        for info in infos:
            if info.flag_bits & 0x1:
                raise ImportFileError(f"{name}: {info.filename} is encrypted")
            try:
                with archive.open(info) as stream:
                    data = stream.read(budget + 1)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as error:
                raise ImportFileError(f"{name}: {info.filename} cannot be unpacked") from error
            if len(data) > budget:
                limit = MAX_UNPACKED_BYTES // (1024 * 1024)
                raise ImportFileError(f"{name} unpacks to more than {limit} MB")
            budget -= len(data)
            member = io.BytesIO(data)
            member.name = info.filename  # named in the error report, like a file
            if data.startswith(ZIP_MAGIC) and is_archive(member):
                raise ImportFileError(f"{name}: {info.filename} is an archive inside the archive")
            files.append(member)
    return files, budget


def expand(sources: Sequence[Source]) -> list[Source]:
    """The files of ``sources``: each .zip archive replaced by its members, in order."""
    files: list[Source] = []
    budget = MAX_UNPACKED_BYTES
    for source in sources:
        if is_archive(source):
            members, budget = _members(source, budget)
            files.extend(members)
        else:
            files.append(source)
    return files
