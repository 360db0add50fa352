"""Import jobs: a file becomes metric snapshots, with every rejected row explained.

The file is read and parsed in chunks (influencers.importing, pure pandas), the good rows
are COPYed into a per-job staging table (progress is saved after each chunk), then one
transaction merges them set-based (influencers.services.staging). A failure anywhere
before that transaction commits leaves the data as it was; the job records why.
"""

import csv
import hashlib
import io
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone

from influencers.importing.exceptions import ImportFileError
from influencers.importing.pipeline import FORMATS, TABLE_FORMATS, default_source, prepare
from influencers.models import (
    ColumnMapping,
    ImportJob,
    ImportRowError,
    ImportStatus,
    SocialAccount,
)

from . import staging

logger = logging.getLogger(__name__)
ERROR_COLUMNS = ["line", "column", "value", "reason", "severity"]
BUNDLE_IN_MEMORY_BYTES = 16 * 1024 * 1024


class DryRunRollback(Exception):
    """Raised inside the merge transaction of a dry run to undo it after counting."""


def file_checksum(stream):
    digest = hashlib.sha256()
    stream.seek(0)
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def files_checksum(streams):
    """SHA-256 of one file's bytes; for several files, of their SHA-256s in order.

    Order counts: when two files give the same account different values, the first file's
    win, so the same files in another order are not the same import.
    """
    digests = [file_checksum(stream) for stream in streams]
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def count_lines(path):
    """Newlines in the file: the denominator of the progress bar (cheap: 1 MiB reads)."""
    lines = 0
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines, 1)


def find_handles(platform, external_ids):
    """{external id: handle} of the accounts of `platform` known by those ids.

    Lets an API export that names a channel only by its id (videos.list, Instagram media
    pages) land on the account an earlier import created.
    """
    rows = SocialAccount.objects.filter(platform=platform, external_id__in=external_ids)
    return dict(rows.exclude(external_id="").values_list("external_id", "handle"))


def _unique_names(names):
    """The files' names, a repeated one numbered (`page.json`, `page (2).json`)."""
    seen = set()
    unique = []
    for name in names:
        path = Path(name)
        candidate, number = path.name, 1
        while candidate in seen:
            number += 1
            candidate = f"{path.stem} ({number}){path.suffix}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _write_bundle(bundle, files):
    """Several uploaded files as one zip archive (stored as the job's file; the importer
    reads an archive as the files it holds, in this order)."""
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, stream in files:
            # A fixed date: the same files make the same archive, byte for byte.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            stream.seek(0)
            with archive.open(info, "w") as member:
                shutil.copyfileobj(stream, member, 1 << 20)
    bundle.seek(0)


def _job_name(names):
    """What the job is called in lists: the file's name, or the files' names joined."""
    joined = " + ".join(names)
    if len(joined) <= 255 or len(names) == 1:
        return joined[:255]
    return f"{names[0][:200]} + {len(names) - 1} more files"


def import_job_create(
    *,
    source,
    file=None,
    original_name="",
    files=None,
    created_by=None,
    format="",
    platform="",
    as_of=None,
    mapping=None,
    account_handle="",
    is_dry_run=False,
    status=ImportStatus.QUEUED,
):
    """Store the uploaded file(s) and a job for them.

    Either `file` (a binary file object) and its `original_name`, or `files`: (name, binary
    file object) pairs — the several files of one export (a profile and its media pages,
    channels.list and videos.list…), imported together as one job. Several files are stored
    as one zip archive; a .zip uploaded as it is works the same.

    Without a source, API exports are sourced to their API ("YouTube Data API", so the
    files of one export imported one by one still complete the same snapshots) and other
    files to their name. Without an explicit mapping, the mapping saved for the same source
    (if any) is used. `status=DRAFT` keeps the job for the mapping step of the upload page.
    """
    files = list(files) if files else [(original_name, file)]
    names = _unique_names([name for name, _ in files])
    streams = [stream for _, stream in files]
    checksum = files_checksum(streams)
    source = (source or default_source(streams) or Path(names[0]).stem)[:100]
    if not mapping:
        saved = ColumnMapping.objects.filter(source=source).first()
        mapping = saved.mapping if saved else {}
    job = ImportJob(
        original_name=_job_name(names),
        checksum=checksum,
        source=source,
        status=status,
        created_by=created_by,
        format=format or "",
        platform=platform or "",
        as_of=as_of,
        mapping=mapping or {},
        account_handle=account_handle or "",
        is_dry_run=is_dry_run,
    )
    if len(files) == 1:
        job.file.save(names[0], File(streams[0]), save=False)
    else:
        with tempfile.SpooledTemporaryFile(max_size=BUNDLE_IN_MEMORY_BYTES) as bundle:
            _write_bundle(bundle, zip(names, streams, strict=True))
            bundle_name = f"{Path(names[0]).stem}-and-{len(names) - 1}-more.zip"
            job.file.save(bundle_name, File(bundle), save=False)
    job.size_bytes = job.file.size
    job.full_clean(exclude=["file", "mapping"])
    job.save()
    return job


def import_job_confirm(*, job, mapping, save_mapping=False, user=None, platform=None):
    """The user confirmed (or changed) the mapping of a draft job: save it and queue the job.

    The job row is locked, so a double click cannot queue the same job twice.
    """
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.DRAFT:
            raise ValueError(f"import #{job.pk} is {locked.status}, not awaiting its mapping")
        job.mapping = mapping
        job.status = ImportStatus.QUEUED
        if platform is not None:
            job.platform = platform
        job.save(update_fields=["mapping", "status", "platform"])
        if save_mapping:
            ColumnMapping.objects.update_or_create(
                source=job.source, defaults={"mapping": mapping, "created_by": user}
            )
        import_job_enqueue(job)
    return job


def import_job_discard(*, job):
    """Delete a draft job and its stored file (a file that could not be read at all)."""
    if job.status != ImportStatus.DRAFT:
        raise ValueError(f"import #{job.pk} is {job.status}: only drafts can be discarded")
    job.file.delete(save=False)
    job.delete()


def import_job_enqueue(job):
    """Queue the job for the worker once the surrounding transaction commits."""
    from influencers.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.delay(job.pk))


def _save_progress(job, **fields):
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _store_errors(job, errors):
    """COPY one chunk's error report into ImportRowError (it may hold many rows)."""
    if errors is None or errors.empty:
        return
    frame = errors.reindex(columns=ERROR_COLUMNS).copy()
    frame["line"] = frame["line"].astype("Int64")
    for column in ("column", "value", "reason", "severity"):
        frame[column] = frame[column].astype("string").fillna("")
    frame.insert(0, "job_id", job.pk)
    buffer = io.StringIO()
    # Text quoted (so '' stays ''), numbers bare (so a missing line number is NULL).
    frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {ImportRowError._meta.db_table} "
            '(job_id, line, "column", value, reason, severity) FROM STDIN WITH (FORMAT csv)',
            buffer,
        )


def import_job_run(*, job_id, today=None, on_progress=None):
    """Run a queued job to its end (succeeded or failed) and return it.

    Idempotent: a job that already finished is returned as it is, so a retried task never
    imports twice; a job left `running` by a crashed worker starts again from scratch.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.is_finished or job.status == ImportStatus.DRAFT:
        return job
    today = today or timezone.localdate()
    ImportRowError.objects.filter(job=job).delete()
    _save_progress(
        job,
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        progress=0.0,
        progress_message="Reading the file",
        # The date given to rows without one is kept: a retry on another day, or the same
        # files imported again, date them the same way.
        as_of=job.as_of or today,
    )
    previous = _identical_previous_import(job)
    if previous is not None:
        return _repeat_of(job, previous)
    table = staging.staging_table_name(job.pk)
    try:
        path = job.file.path
        prepared = prepare(
            path,
            today=today,
            # A retried job holds the detected format, "a+b" for several exports: detect again.
            format=job.format if job.format in FORMATS else None,
            platform=job.platform or None,
            mapping=job.mapping or None,
            as_of=job.as_of,
            handle=job.account_handle or None,
            find_handles=find_handles,
        )
        _save_progress(job, format=prepared.format, mapping=prepared.mapping)
        expected_rows = count_lines(path)
        rows_read = rejected = 0
        with connection.cursor() as cursor:
            staging.create_staging_table(cursor, table)
            try:
                for chunk in prepared:
                    staging.copy_rows(cursor, table, chunk.good)
                    _store_errors(job, chunk.errors)
                    rows_read += chunk.rows_read
                    rejected += chunk.rejected
                    _save_progress(
                        job,
                        rows_read=rows_read,
                        rows_rejected=rejected,
                        progress=min(0.9, 0.9 * rows_read / expected_rows),
                        progress_message=f"Read {rows_read:,} rows",
                    )
                    if on_progress:
                        on_progress(job)
            finally:
                prepared.close()
            _save_progress(job, progress=0.9, progress_message="Saving snapshots")
            if on_progress:
                on_progress(job)
            counts = _merge(cursor, table, job)
    except ImportFileError as error:
        return _finish(job, status=ImportStatus.FAILED, failure_reason=str(error))
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        reason = f"Internal error ({type(error).__name__}): nothing was saved. {error}"
        return _finish(job, status=ImportStatus.FAILED, failure_reason=reason[:2000])
    finally:
        with connection.cursor() as cursor:
            staging.drop_staging_table(cursor, table)
    return _finish(
        job,
        status=ImportStatus.SUCCEEDED,
        rows_created=counts["rows_created"],
        rows_updated=counts["rows_updated"],
        rows_unchanged=counts["rows_unchanged"],
        accounts_created=counts["accounts_created"],
        accounts_changed=counts["accounts_changed"],
    )


def _identical_previous_import(job):
    """The newest import of this source, if it took the very same files the same way.

    Re-reading them would change nothing, so the job is answered from that one. Only the
    newest import of the source counts: after a corrected file, the old file again is a
    real change (its values become the newest) and is imported in full. "The same way"
    includes the date given to rows without one (the job's as_of, today by default): the
    same API export imported on another day makes snapshots of another day. An account
    that a file names only by its id may have been imported since, so files that had such
    accounts rejected are read again.
    """
    if job.is_dry_run:
        return None
    newest = (
        ImportJob.objects.filter(source=job.source, status=ImportStatus.SUCCEEDED, is_dry_run=False)
        .exclude(pk=job.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if newest is None or newest.checksum != job.checksum:
        return None
    asked = (job.platform, job.as_of, job.account_handle)
    if asked != (newest.platform, newest.as_of, newest.account_handle):
        return None
    if (job.format and job.format != newest.format) or (
        job.mapping and job.mapping != newest.mapping
    ):
        return None
    if newest.rows_rejected and newest.format not in TABLE_FORMATS:
        return None  # API exports are small: reading them again is cheap
    return newest


def _repeat_of(job, previous):
    """Finish a job whose file was just imported as it is: nothing to write."""
    table = ImportRowError._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (job_id, line, "column", value, reason, severity) '
            f'SELECT %s, line, "column", value, reason, severity FROM {table} '
            "WHERE job_id = %s ORDER BY id",
            [job.pk, previous.pk],
        )
        _save_progress(job, format=previous.format, mapping=previous.mapping)
    total = previous.rows_created + previous.rows_updated + previous.rows_unchanged
    _finish(
        job,
        status=ImportStatus.SUCCEEDED,
        rows_read=previous.rows_read,
        rows_rejected=previous.rows_rejected,
        rows_unchanged=total,
    )
    _save_progress(job, progress_message=f"Same file as import #{previous.pk}: nothing to change")
    return job


def _merge(cursor, table, job):
    counts = {}
    try:
        with transaction.atomic():
            counts = staging.merge_staging(cursor, table, job_id=job.pk, source=job.source)
            if job.is_dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return counts


def _finish(job, *, status, **fields):
    message = "Done" if status == ImportStatus.SUCCEEDED else "Failed"
    if job.is_dry_run and status == ImportStatus.SUCCEEDED:
        message = "Dry run: nothing was saved"
    _save_progress(
        job,
        status=status,
        finished_at=timezone.now(),
        progress=1.0,
        progress_message=message,
        **fields,
    )
    return job


def import_job_error_rows(job):
    """The rejected rows and dropped values of a job, in file order, for pages and CSV."""
    return job.row_errors.order_by("line", "id").values_list(*ERROR_COLUMNS)
