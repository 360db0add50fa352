import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from influencers.exports import write_error_report
from influencers.importing.pipeline import FORMATS
from influencers.models import ImportStatus, Platform
from influencers.services.imports import import_job_create, import_job_error_rows, import_job_run


class Command(BaseCommand):
    help = (
        "Import a CSV/TSV/XLSX file or a recorded platform API export (JSON) into metric "
        "snapshots. Exit code 0 when the file was processed (even with rejected rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=FORMATS, help="default: detected")
        parser.add_argument("--source", help="where the numbers come from (default: file name)")
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

    def handle(self, *args, path, format, source, platform, as_of, handle, dry_run, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as stream:
            job = import_job_create(
                file=stream,
                original_name=path.name,
                source=source or path.stem,
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
            raise CommandError(f"{path.name}: {job.failure_reason}")
        report = self._write_report(job)
        prefix = "Dry run — nothing saved. " if job.is_dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}Import #{job.pk} of {path.name} ({job.format}, source {job.source!r}): "
                f"{job.rows_read:,} rows read, {job.rows_created:,} created, "
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
            write_error_report(stream, rows)
        return target
