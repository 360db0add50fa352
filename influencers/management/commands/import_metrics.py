import datetime as dt
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from influencers.exports import write_rows
from influencers.importing.pipeline import FORMATS
from influencers.models import ImportStatus, Platform
from influencers.services.imports import (
    ERROR_COLUMNS,
    import_job_create,
    import_job_error_rows,
    import_job_run,
)


def one_line(text):
    """A reason on one line (a database error's message spans several)."""
    return " ".join(str(text).split())


class Command(BaseCommand):
    help = (
        "Import a CSV/TSV/XLSX file, or the files of a recorded platform API export (JSON: a "
        "profile and its media or video pages, or a .zip of them), into metric snapshots. "
        "Exit code 0 when the files were processed (even with rejected rows); 1 with a "
        "one-line reason when they cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="path",
            help="a table, or the files of one API export, imported together as one job",
        )
        parser.add_argument("--format", choices=FORMATS, help="default: detected")
        parser.add_argument(
            "--source",
            help="where the numbers come from (default: the API for API exports, else the "
            "file name)",
        )
        parser.add_argument("--platform", choices=Platform.values, help="for files without one")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="date of rows without one (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--handle", help="the account of an API export that does not name it (TikTok)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check everything, save nothing"
        )

    def handle(self, *args, paths, format, source, platform, as_of, handle, dry_run, **options):
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        with ExitStack() as stack:
            files = [(path.name, stack.enter_context(path.open("rb"))) for path in paths]
            job = import_job_create(
                files=files,
                source=source or "",
                format=format or "",
                platform=platform or "",
                as_of=as_of,
                account_handle=handle or "",
                is_dry_run=dry_run,
            )
        quiet = options["verbosity"] == 0
        with tqdm(total=100, unit="%", disable=quiet, bar_format="{l_bar}{bar}| {desc}") as bar:

            def show(current):
                bar.n = round(current.progress * 100)
                bar.set_description_str(current.progress_message)
                bar.refresh()

            job = import_job_run(job_id=job.pk, on_progress=show)
            show(job)
        if job.status == ImportStatus.FAILED:
            raise CommandError(one_line(f"{job.original_name}: {job.failure_reason}"))
        report = self._write_report(job)
        prefix = "Dry run — nothing saved. " if job.is_dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}Import #{job.pk} of {job.original_name} ({job.format}, source "
                f"{job.source!r}): {job.rows_read:,} rows read, {job.rows_created:,} created, "
                f"{job.rows_updated:,} updated, {job.rows_unchanged:,} unchanged, "
                f"{job.rows_rejected:,} rejected; {job.accounts_created:,} new accounts."
            )
        )
        if report:
            self.stdout.write(f"Row errors: {report}")

    def _write_report(self, job):
        rows = import_job_error_rows(job)
        if not rows.exists():
            return None
        folder = Path(settings.MEDIA_ROOT) / "import-reports"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"import-{job.pk}-errors.csv"
        with target.open("w", newline="", encoding="utf-8") as stream:
            write_rows(stream, ERROR_COLUMNS, rows)
        return target
