"""Forms of the import pages: the upload and the column mapping."""

from django import forms
from django.conf import settings
from django.utils import timezone

from .models import ImportFormat, Platform

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
NOT_IMPORTED = ""

# The mapping targets as a marketer reads them, grouped the way an export is laid out.
TARGET_GROUPS = (
    (
        "Account",
        (
            ("handle", "Handle"),
            ("platform", "Platform"),
            ("display_name", "Display name"),
            ("external_id", "Platform id"),
            ("url", "Profile URL"),
            ("bio", "Bio"),
            ("country", "Country"),
            ("language", "Language"),
            ("categories", "Categories"),
            ("contact_email", "Contact email"),
        ),
    ),
    (
        "Metrics",
        (
            ("followers", "Followers"),
            ("following", "Following"),
            ("posts", "Posts"),
            ("avg_likes", "Average likes"),
            ("avg_comments", "Average comments"),
            ("avg_shares", "Average shares"),
            ("avg_saves", "Average saves"),
            ("avg_views", "Average views"),
            ("median_likes", "Median likes"),
            ("median_comments", "Median comments"),
            ("median_views", "Median views"),
            ("engagement_rate", "Engagement rate"),
            ("engagement_rate_percent", "Engagement rate, bare percent (16.6 = 16.6 %)"),
        ),
    ),
    (
        "Audience and price",
        (
            ("audience_country", "Audience country"),
            ("audience_credibility", "Audience credibility"),
            (
                "audience_credibility_percent",
                "Audience credibility, bare percent (80 = 80 %)",
            ),
            ("price_per_post", "Price per post"),
            ("price_currency", "Price currency"),
        ),
    ),
    ("Date", (("as_of", "Metrics as of (date)"),)),
)
TARGET_LABELS = {target: label for _, group in TARGET_GROUPS for target, label in group}

MAPPING_CHOICES = [(NOT_IMPORTED, "— not imported —"), *TARGET_GROUPS]
PLATFORM_CHOICES = [("", "— from the file —"), *Platform.choices]


def max_upload_bytes():
    return getattr(settings, "FOURSCORE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def describe_size(size):
    """A size as people read it: ``312 MB``, ``4.5 MB``, ``12 KB``, ``900 bytes``."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            amount = size / factor
            text = f"{amount:.1f}" if amount < 10 else f"{amount:,.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{size:,} bytes"


def upload_too_large_message(size, limit):
    return (
        f"This file is {describe_size(size)}; the limit is {describe_size(limit)}. "
        "Split it, or import it with `manage.py import_metrics`."
    )


def check_upload_size(uploaded):
    """The one-line refusal for a file over the limit, or None."""
    limit = max_upload_bytes()
    if uploaded.size > limit:
        return upload_too_large_message(uploaded.size, limit)
    return None


def check_upload_sizes(uploads):
    """The one-line refusal for files over the limit together (it is per upload), or None."""
    if len(uploads) == 1:
        return check_upload_size(uploads[0])
    limit = max_upload_bytes()
    total = sum(uploaded.size for uploaded in uploads)
    if total > limit:
        return (
            f"These files are {describe_size(total)} together; the limit is "
            f"{describe_size(limit)}. Upload fewer at a time, or import them with "
            "`manage.py import_metrics`."
        )
    return None


def check_not_empty(uploads):
    """The one-line refusal for an empty file among the uploads, or None."""
    empty = [uploaded.name for uploaded in uploads if uploaded.size == 0]
    if not empty:
        return None
    if len(uploads) == 1:
        return "This file is empty."
    return f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty."


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one input (``<input type=file multiple>``); cleans to a list."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        # Empty files are refused by the form, naming them (Django's message does not).
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        files = [item for item in data if item] if isinstance(data, list | tuple) else [data]
        if not any(files):
            clean_one(None, initial)  # "No file was submitted." / "This field is required."
            return []
        return [clean_one(item, initial) for item in files]


def check_as_of(value):
    if value and value > timezone.localdate():
        return "The date cannot be in the future."
    return None


class ImportUploadForm(forms.Form):
    file = MultipleFileField(
        label="Files",
        help_text="CSV, TSV or Excel export, our CSV template, or a recorded API export "
        "(JSON). The files of one API export go together — select them all, or upload a .zip "
        "of them: a profile with its media pages, channels.list with videos.list, TikTok user "
        "info with its video query.",
        error_messages={"required": "Choose the file (or the files of one API export) to import."},
    )
    source = forms.CharField(
        max_length=100,
        required=False,
        help_text=(
            "Where the numbers come from, e.g. “HypeAuditor May export”. Default: the API "
            "for API exports (“YouTube Data API”), else the file name. A mapping saved for "
            "this source is reused."
        ),
    )
    format = forms.ChoiceField(choices=ImportFormat.choices, required=False, initial="")
    platform = forms.ChoiceField(
        choices=PLATFORM_CHOICES,
        required=False,
        help_text="For files without a platform column.",
    )
    as_of = forms.DateField(
        required=False,
        label="Metrics as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For rows without their own date. Default: today.",
    )
    handle = forms.CharField(
        max_length=100,
        required=False,
        label="Account handle",
        help_text="For API exports that do not name the account (TikTok Research API).",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run: read and check everything, save nothing",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {
                "accept": ".csv,.tsv,.txt,.xlsx,.json,.zip",
                "data-max-bytes": max_upload_bytes(),
                "data-max-label": describe_size(max_upload_bytes()),
            }
        )
        for name, field in self.fields.items():
            css = "form-check-input" if name == "dry_run" else "form-control"
            if isinstance(field, forms.ChoiceField):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_file(self):
        """The uploaded files, a list (one or several)."""
        uploads = self.cleaned_data["file"]
        refusal = check_upload_sizes(uploads)
        if refusal:
            raise forms.ValidationError(refusal, code="file_too_large")
        empty = check_not_empty(uploads)
        if empty:
            raise forms.ValidationError(empty, code="empty")
        return uploads

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        problem = check_as_of(value)
        if problem:
            raise forms.ValidationError(problem, code="future")
        return value


class ImportMappingForm(forms.Form):
    """One select per readable column of the file (``column_0``, ``column_1``…), a platform
    for rows without one, and whether to save the mapping for the job's source.

    ``columns`` are the preview's columns; protected ones get no field (never imported).
    """

    platform = forms.ChoiceField(choices=PLATFORM_CHOICES, required=False)
    save_mapping = forms.BooleanField(required=False)

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = [column for column in columns if not column["protected"]]
        self.protected_columns = [column for column in columns if column["protected"]]
        for index, column in enumerate(self.columns):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                choices=MAPPING_CHOICES,
                required=False,
                label=column["header"],
                initial=column["target"] or NOT_IMPORTED,
            )
            self.fields[name].widget.attrs.update(
                {"class": "form-select form-select-sm", "aria-label": f"Column {column['header']}"}
            )
            column["field_name"] = name
        self.fields["platform"].widget.attrs.update({"class": "form-select"})
        self.fields["save_mapping"].widget.attrs.update({"class": "form-check-input"})

    def bound_columns(self):
        """(column, bound field) pairs, in the file's order, for the template."""
        return [(column, self[column["field_name"]]) for column in self.columns]

    def mapping(self):
        """Header → target (None: not imported) for every readable column."""
        return {
            column["header"]: self.cleaned_data.get(column["field_name"]) or None
            for column in self.columns
        }
