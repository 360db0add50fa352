"""The import pages: upload → column mapping → live progress → summary, errors and accounts.

Every job is looked up through ``ImportJob.objects.visible_to(user)``: another user's import
is a 404, never a 403 that would confirm it exists. The work itself runs on the Celery
worker (``import_job_confirm`` queues it); these views only read the file's first rows.
"""

import logging

import pandas as pd
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .exports import stream_rows
from .forms import (
    TARGET_LABELS,
    ImportMappingForm,
    ImportUploadForm,
    describe_size,
    max_upload_bytes,
)
from .importing import pipeline
from .importing.aliases import EXCLUDED
from .importing.exceptions import ImportFileError
from .importing.values import PLATFORM_LABELS
from .models import ImportFormat, ImportJob, ImportStatus, MetricSnapshot, SocialAccount
from .services.imports import (
    ERROR_COLUMNS,
    find_handles,
    import_job_confirm,
    import_job_create,
    import_job_discard,
    import_job_error_rows,
)

logger = logging.getLogger(__name__)

ERROR_TABLE_LIMIT = 500
ACCOUNTS_PER_PAGE = 50
JOBS_PER_PAGE = 50
SAMPLE_VALUES = 3
PREVIEW_TABLE_ROWS = 20
# The canonical columns worth a column in the preview table, in reading order.
PREVIEW_FIELDS = (
    "platform",
    "handle",
    "display_name",
    "country",
    "categories",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_shares",
    "avg_saves",
    "avg_views",
    "median_likes",
    "median_views",
    "engagement_rate",
    "audience_country",
    "audience_credibility",
    "price_per_post",
    "as_of",
)
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with byte-order mark)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
UNREADABLE = "it does not look like a CSV, TSV, Excel or JSON export"


def _visible_job(request, pk):
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


# --- Reading the file's first rows ----------------------------------------------------------


def _run_preview(job, *, mapping, platform):
    """pipeline.preview of the job's file; any failure to read it is an ImportFileError."""
    try:
        return pipeline.preview(
            job.file.path,
            today=timezone.localdate(),
            format=job.format or None,
            platform=platform or None,
            mapping=mapping or None,
            as_of=job.as_of,
            handle=job.account_handle or None,
            find_handles=find_handles,
        )
    except ImportFileError:
        raise
    except Exception as error:
        # A reader that trips over garbage must not turn the upload page into a 500.
        logger.exception("preview of import #%s failed", job.pk)
        raise ImportFileError(UNREADABLE) from error


def _job_preview(job):
    """The preview with the job's mapping (saved for its source, or confirmed before); when a
    saved mapping does not fit this file, the detected mapping and a note saying so."""
    try:
        return _run_preview(job, mapping=job.mapping, platform=job.platform), []
    except ImportFileError as error:
        if not job.mapping:
            raise
        note = (
            f"The mapping saved for “{job.source}” does not fit this file ({error}): "
            "the detected mapping is shown instead."
        )
        return _run_preview(job, mapping=None, platform=job.platform), [note]


def _discard_draft(job):
    # A draft whose file cannot be read is of no use to anyone: no job, no file left behind.
    import_job_discard(job=job)


def _unreadable_message(error, *, files=1):
    subject = "This file cannot" if files == 1 else "These files cannot"
    return f"{subject} be read: {error}."


# --- Display helpers -----------------------------------------------------------------------


def _is_missing(value):
    """None, NaN, pandas NA and NaT; a list (categories) is never "missing"."""
    if value is None:
        return True
    if isinstance(value, list | tuple | dict | str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-like values
        return False


def _percent(fraction):
    """0.0139 → "1.39 %"; a rate too small for two decimals says so instead of "0.00 %"."""
    if 0 < fraction * 100 < 0.01:
        return "< 0.01 %"
    return f"{fraction * 100:.2f} %"


def _display_value(field, value):
    if _is_missing(value):
        return ""
    if field in {"engagement_rate", "audience_credibility"}:
        return _percent(value)
    if field == "categories" and isinstance(value, str):
        return ", ".join(part.strip() for part in value.split(",") if part.strip())
    if field == "platform":
        return PLATFORM_LABELS.get(value, str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:,.2f}"
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _display_value(field, value.tolist())
    return str(value)


def _samples(frame, header):
    if header not in getattr(frame, "columns", ()):
        return []
    values = []
    for value in frame[header].tolist():
        if _is_missing(value) or str(value).strip() == "":
            continue
        text = str(value)
        values.append(text if len(text) <= 40 else text[:39] + "…")
        if len(values) == SAMPLE_VALUES:
            break
    return values


def _columns(preview):
    return [
        {
            "header": column["header"],
            "target": column["target"],
            "status": column["status"],
            "protected": column["target"] == EXCLUDED,
            "samples": _samples(preview.sample, column["header"]),
        }
        for column in preview.columns
    ]


def _rejected_lines(errors):
    if errors is None or errors.empty or "severity" not in errors.columns:
        return set()
    lines = errors.loc[errors["severity"] == "error", "line"].dropna()
    return {int(line) for line in lines}


def _canonical_table(frame, errors):
    """The first rows in canonical form, only the fields that hold something; the rows that
    would be rejected are marked."""
    head = frame.head(PREVIEW_TABLE_ROWS)
    fields = [name for name in PREVIEW_FIELDS if name in head.columns]
    fields = [name for name in fields if any(_display_value(name, v) for v in head[name])]
    lines = head["source_line"].tolist() if "source_line" in head.columns else [None] * len(head)
    rejected = _rejected_lines(errors)
    rows = []
    for position, line in enumerate(lines):
        record = head.iloc[position]
        line = None if _is_missing(line) else int(line)
        rows.append(
            {
                "line": "" if line is None else line,
                "is_rejected": line in rejected,
                "cells": [_display_value(name, record[name]) for name in fields],
            }
        )
    headers = [{**TARGET_LABELS, "as_of": "As of"}.get(name, name) for name in fields]
    all_lines = frame["source_line"].tolist() if "source_line" in frame.columns else []
    ready = len(frame) - sum(
        1 for line in all_lines if not _is_missing(line) and int(line) in rejected
    )
    return {"headers": headers, "rows": rows, "count": len(frame), "ready": ready}


def _preview_errors(frame):
    rows = []
    for record in frame.head(20).to_dict("records"):
        rows.append(
            {
                "line": "" if _is_missing(record.get("line")) else int(record["line"]),
                "column": "" if _is_missing(record.get("column")) else record["column"],
                "value": "" if _is_missing(record.get("value")) else record["value"],
                "reason": record.get("reason", ""),
                "severity": record.get("severity", ""),
            }
        )
    return rows


def _format_label(value):
    labels = dict(ImportFormat.choices)
    return " + ".join(str(labels.get(part, part)) for part in (value or "").split("+"))


def _detected(preview):
    return {
        "format": _format_label(preview.format),
        "encoding": ENCODING_LABELS.get(preview.encoding or "", preview.encoding or ""),
        "delimiter": DELIMITER_LABELS.get(preview.delimiter or "", preview.delimiter or ""),
        "platform": PLATFORM_LABELS.get(preview.platform or "", ""),
    }


def _describe_duration(duration):
    if duration is None:
        return ""
    seconds = duration.total_seconds()
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _engagement(account):
    if account.engagement_rate is None:
        return ""
    text = _percent(account.engagement_rate)
    if account.engagement_rate_denominator:
        text += f" {account.get_engagement_rate_denominator_display()}"
    return text


# --- Pages ---------------------------------------------------------------------------------


@require_GET
def import_list(request):
    """The user's imports, newest first."""
    jobs = (
        ImportJob.objects.visible_to(request.user)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "influencers/imports/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def import_new(request):
    """Upload a file (or the several files of one API export, or a .zip of them); it becomes
    a draft job whose mapping the user checks next."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = data["file"]
        job = import_job_create(
            files=[(uploaded.name, uploaded) for uploaded in uploads],
            source=data["source"],
            created_by=request.user,
            format=data["format"],
            platform=data["platform"],
            as_of=data["as_of"],
            account_handle=data["handle"],
            is_dry_run=data["dry_run"],
            status=ImportStatus.DRAFT,
        )
        try:
            _job_preview(job)
        except ImportFileError as error:
            _discard_draft(job)
            form.add_error("file", _unreadable_message(error, files=len(uploads)))
        else:
            return redirect("import-mapping", pk=job.pk)
    return render(
        request,
        "influencers/imports/new.html",
        {
            "form": form,
            "max_upload": describe_size(max_upload_bytes()),
        },
    )


@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    """Show how each column of the file will be read; the user may change it, then start."""
    job = _visible_job(request, pk)
    if job.status != ImportStatus.DRAFT:
        return redirect("import-detail", pk=job.pk)
    try:
        preview, notes = _job_preview(job)
        uses_saved_mapping = bool(job.mapping) and not notes
    except ImportFileError as error:
        return render(
            request,
            "influencers/imports/mapping.html",
            {"job": job, "fatal": _unreadable_message(error)},
        )
    columns = _columns(preview)
    is_table = bool(columns)
    form = ImportMappingForm(
        request.POST or None, columns=columns, initial={"platform": job.platform}
    )
    detected_platform = preview.platform if not job.platform else None
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping() if is_table else {}
        platform = form.cleaned_data["platform"] if is_table else job.platform
        try:
            checked = _run_preview(job, mapping=mapping, platform=platform)
        except ImportFileError as error:
            form.add_error(None, f"This mapping cannot be used: {error}.")
        else:
            preview, notes = checked, []
            if is_table and "handle" not in checked.mapping.values():
                form.add_error(None, "Map one column to Handle: every row must name its account.")
            if is_table and not checked.platform and "platform" not in checked.mapping.values():
                form.add_error(
                    "platform",
                    "Choose the platform: the file does not say which platform its accounts "
                    "are on.",
                )
            if not form.errors and request.POST.get("action") == "start":
                return _start(request, job, mapping, platform, form.cleaned_data["save_mapping"])
    return render(
        request,
        "influencers/imports/mapping.html",
        {
            "job": job,
            "form": form,
            "is_table": is_table,
            "detected": _detected(preview),
            "detected_platform": PLATFORM_LABELS.get(detected_platform or "", ""),
            "notes": [*notes, *preview.notes],
            "canonical": _canonical_table(preview.rows, preview.errors),
            "preview_errors": _preview_errors(preview.errors),
            "preview_error_count": len(preview.errors),
            "is_saved_mapping": uses_saved_mapping,
        },
    )


def _start(request, job, mapping, platform, save_mapping):
    try:
        # The platform chosen on the mapping step (the upload form may have left it blank).
        import_job_confirm(
            job=job,
            mapping=mapping,
            save_mapping=save_mapping,
            user=request.user,
            platform=platform,
        )
    except ValueError:  # already queued (a double click): show the job as it is
        return redirect("import-detail", pk=job.pk)
    label = "Dry run" if job.is_dry_run else "Import"
    messages.success(request, f"{label} #{job.pk} of {job.original_name} is queued.")
    return redirect("import-detail", pk=job.pk)


def _earlier_import_of_the_same_file(user, job):
    """The user's previous import of byte-identical content (explains "all unchanged")."""
    return (
        ImportJob.objects.visible_to(user)
        .filter(checksum=job.checksum, pk__lt=job.pk)
        .exclude(status=ImportStatus.DRAFT)
        .order_by("-pk")
        .only("pk", "created_at")
        .first()
    )


def _status_context(job):
    context = {"job": job, "percent": round(job.progress * 100)}
    if job.is_finished:
        errors_total = job.row_errors.count()
        context.update(
            errors=[
                dict(zip(ERROR_COLUMNS, row, strict=True))
                for row in import_job_error_rows(job)[:ERROR_TABLE_LIMIT]
            ],
            errors_total=errors_total,
            errors_limit=ERROR_TABLE_LIMIT,
            is_truncated=errors_total > ERROR_TABLE_LIMIT,
            duration=_describe_duration(job.duration),
        )
    return context


@require_GET
def import_detail(request, pk):
    """The job: a live progress bar while it runs, then its summary and errors."""
    job = _visible_job(request, pk)
    if job.status == ImportStatus.DRAFT:
        return redirect("import-mapping", pk=job.pk)
    context = _status_context(job)
    context["size"] = describe_size(job.size_bytes)
    context["same_file"] = _earlier_import_of_the_same_file(request.user, job)
    return render(request, "influencers/imports/detail.html", context)


@require_GET
def import_progress(request, pk):
    """The status partial polled by the detail page; once the job has finished it comes
    back without its polling trigger, so htmx stops asking."""
    job = _visible_job(request, pk)
    return render(request, "influencers/imports/_status.html", _status_context(job))


def error_report_response(job):
    """Every rejected row and dropped value of the job, streamed as a CSV safe to open in
    Excel (the web page's and the API's download)."""
    rows = import_job_error_rows(job).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        stream_rows(ERROR_COLUMNS, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@require_GET
def import_errors_csv(request, pk):
    """Every rejected row and dropped value of the job, as a CSV safe to open in Excel."""
    return error_report_response(_visible_job(request, pk))


@require_GET
def import_accounts(request, pk):
    """The accounts this import wrote snapshots for, largest first."""
    job = _visible_job(request, pk)
    touched = MetricSnapshot.objects.filter(import_job=job).values("account_id")
    accounts = SocialAccount.objects.filter(id__in=touched).order_by(
        F("followers").desc(nulls_last=True), "id"
    )
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"account": account, "engagement": _engagement(account)} for account in page]
    return render(
        request,
        "influencers/imports/accounts.html",
        {
            "job": job,
            "page": page,
            "rows": rows,
            "detail_url": reverse("import-detail", kwargs={"pk": job.pk}),
            "same_file": _earlier_import_of_the_same_file(request.user, job),
        },
    )
