"""People, their social accounts and the append-only history of each account's metrics.

Unknown is NULL, never 0: a platform that hides likes does not mean zero likes. Text
fields follow Django's convention instead (empty string = not known) so forms and
filters need no two kinds of "empty".
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from .importing.values import PLATFORM_LABELS
from .querysets import ImportJobQuerySet, SocialAccountQuerySet

# Platform.INSTAGRAM = "instagram" ("Instagram"), …: the list the importer checks rows
# against, so a platform is added in one place.
Platform = models.TextChoices(
    "Platform",
    [(value.upper(), (value, label)) for value, label in PLATFORM_LABELS.items()],
    module=__name__,
)


class EngagementDenominator(models.TextChoices):
    FOLLOWERS = "followers", "per follower"
    VIEWS = "views", "per view"


# The metrics an account holds as "current", copied from its newest snapshot (the snapshot
# has these and the medians of per-post data).
ACCOUNT_METRIC_FIELDS = (
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_shares",
    "avg_saves",
    "avg_views",
    "engagement_rate",
    "engagement_rate_denominator",
    "audience_country",
    "audience_credibility",
    "price_per_post",
    "price_currency",
)


class Influencer(models.Model):
    """A person (or brand persona) behind one or more social accounts."""

    name = models.CharField(max_length=200)
    bio = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1")
    categories = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # "Influencers in fitness" is an array containment query: GIN answers it.
            GinIndex(fields=["categories"], name="influencer_categories_gin"),
            models.Index(fields=["country"], name="influencer_country_idx"),
        ]

    def __str__(self):
        return self.name


class SocialAccount(models.Model):
    """One presence on one platform, with the current metrics of its newest snapshot.

    The metrics are denormalized from MetricSnapshot so that ranking and filtering never
    join the history table.
    """

    influencer = models.ForeignKey(Influencer, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(
        max_length=100, help_text="Normalized: no leading @, Unicode NFC, lower case."
    )
    url = models.URLField(max_length=500, blank=True)
    # Platform ids can exceed 2**53 (TikTok, Instagram): kept as text, never as a float.
    external_id = models.CharField(max_length=64, blank=True)

    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts = models.BigIntegerField(null=True, blank=True)
    avg_likes = models.FloatField(null=True, blank=True)
    avg_comments = models.FloatField(null=True, blank=True)
    avg_shares = models.FloatField(null=True, blank=True)
    avg_saves = models.FloatField(null=True, blank=True)
    avg_views = models.FloatField(null=True, blank=True)
    engagement_rate = models.FloatField(
        null=True, blank=True, help_text="A fraction: 0.0139 is 1.39 %."
    )
    engagement_rate_denominator = models.CharField(
        max_length=10, choices=EngagementDenominator.choices, blank=True
    )
    audience_country = models.CharField(max_length=2, blank=True)
    audience_credibility = models.FloatField(
        null=True, blank=True, help_text="Share of real, active followers (0–1)."
    )
    price_per_post = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_currency = models.CharField(max_length=3, blank=True)
    metrics_as_of = models.DateField(null=True, blank=True)
    metrics_source = models.CharField(max_length=100, blank=True)
    # Dirty flag: set when the metrics change, cleared by rescoring (only dirty accounts
    # are rescored after an import; the nightly run rescores everything).
    needs_rescore = models.BooleanField(default=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SocialAccountQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle"], name="account_platform_handle_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(handle="") & ~Q(handle__startswith="@"),
                name="account_handle_normalized",
            ),
            models.CheckConstraint(
                condition=Q(followers__isnull=True) | Q(followers__gte=0),
                name="account_followers_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(engagement_rate__isnull=True) | Q(engagement_rate__gte=0),
                name="account_engagement_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(audience_credibility__isnull=True)
                | Q(audience_credibility__gte=0, audience_credibility__lte=1),
                name="account_credibility_fraction",
            ),
            models.CheckConstraint(
                condition=Q(price_per_post__isnull=True) | Q(price_per_post__gte=0),
                name="account_price_not_negative",
            ),
        ]
        indexes = [
            # Browsing one platform by size (tiers, follower ranges) is the commonest read.
            models.Index(fields=["platform", "followers"], name="account_platform_followers_idx"),
            # Rescoring after an import reads only the dirty accounts: a small partial index.
            models.Index(
                fields=["id"], condition=Q(needs_rescore=True), name="account_needs_rescore_idx"
            ),
            # API exports that name an account by its platform id only (videos.list, media
            # pages) find it here; most accounts have no id, so the index stays small.
            models.Index(
                fields=["platform", "external_id"],
                condition=~Q(external_id=""),
                name="account_external_id_idx",
            ),
        ]

    def __str__(self):
        return f"@{self.handle} ({self.get_platform_display()})"


class MetricSnapshot(models.Model):
    """Append-only: the metrics of one account as of one date, from one source."""

    # No index of its own: the unique (account, as_of, source) index starts with account.
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    as_of = models.DateField()
    source = models.CharField(max_length=100, help_text="Which file, API or vendor.")
    # Provenance pointer without a database constraint: a million snapshots of one import
    # would otherwise fire a million identical foreign-key checks at commit. Jobs are never
    # deleted by the application; Django still applies SET_NULL if one is.
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
        db_constraint=False,
    )

    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts = models.BigIntegerField(null=True, blank=True)
    avg_likes = models.FloatField(null=True, blank=True)
    avg_comments = models.FloatField(null=True, blank=True)
    avg_shares = models.FloatField(null=True, blank=True)
    avg_saves = models.FloatField(null=True, blank=True)
    avg_views = models.FloatField(null=True, blank=True)
    median_likes = models.FloatField(null=True, blank=True)
    median_comments = models.FloatField(null=True, blank=True)
    median_views = models.FloatField(null=True, blank=True)
    engagement_rate = models.FloatField(null=True, blank=True)
    engagement_rate_denominator = models.CharField(
        max_length=10, choices=EngagementDenominator.choices, blank=True
    )
    audience_country = models.CharField(max_length=2, blank=True)
    audience_credibility = models.FloatField(null=True, blank=True)
    price_per_post = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_currency = models.CharField(max_length=3, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-as_of"]
        get_latest_by = "as_of"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of", "source"], name="snapshot_account_date_source_uniq"
            ),
            models.CheckConstraint(
                condition=Q(followers__isnull=True) | Q(followers__gte=0),
                name="snapshot_followers_not_negative",
            ),
        ]
        # The unique constraint's index (account, as_of, source) also serves
        # "history of one account, by date", so no second index is declared.

    def __str__(self):
        return f"{self.account} as of {self.as_of} ({self.source})"


class ImportFormat(models.TextChoices):
    AUTO = "", "Detect from the file"
    CSV = "csv", "CSV"
    TSV = "tsv", "TSV"
    XLSX = "xlsx", "Excel (XLSX)"
    CANONICAL = "canonical", "Fourscore CSV template"
    INSTAGRAM_GRAPH = "instagram_graph", "Instagram Graph API (business_discovery)"
    YOUTUBE_CHANNELS = "youtube_channels", "YouTube Data API channels.list"
    YOUTUBE_VIDEOS = "youtube_videos", "YouTube Data API videos.list"
    TIKTOK_USER_INFO = "tiktok_user_info", "TikTok Research API user info"
    TIKTOK_VIDEOS = "tiktok_videos", "TikTok Research API video query"


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Awaiting mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ColumnMapping(models.Model):
    """A saved header → field mapping, reused for the next file from the same source."""

    source = models.CharField(max_length=100, unique=True)
    mapping = models.JSONField(default=dict, help_text="Header → canonical field (or null).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]

    def __str__(self):
        return self.source


class ImportJob(models.Model):
    """One file imported into snapshots: what was asked, how it went, what it changed."""

    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    size_bytes = models.BigIntegerField(default=0)
    # The format asked for, then the one detected; several API exports imported together
    # record theirs joined ("youtube_channels+youtube_videos"), hence the room.
    format = models.CharField(max_length=100, choices=ImportFormat.choices, blank=True)
    source = models.CharField(max_length=100, help_text="Where the numbers come from.")
    platform = models.CharField(
        max_length=20, choices=Platform.choices, blank=True, help_text="For files without one."
    )
    as_of = models.DateField(null=True, blank=True, help_text="For rows without a date.")
    mapping = models.JSONField(default=dict, blank=True)
    account_handle = models.CharField(
        max_length=100, blank=True, help_text="For API exports that do not name the account."
    )
    is_dry_run = models.BooleanField(default=False)

    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.FloatField(default=0.0, help_text="0–1.")
    progress_message = models.CharField(max_length=200, blank=True)
    rows_read = models.BigIntegerField(default=0)
    rows_created = models.BigIntegerField(default=0)
    rows_updated = models.BigIntegerField(default=0)
    rows_unchanged = models.BigIntegerField(default=0)
    rows_rejected = models.BigIntegerField(default=0)
    accounts_created = models.BigIntegerField(default=0)
    accounts_changed = models.BigIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "Was this exact file imported already?" (idempotency short-cut and warnings).
            models.Index(fields=["checksum"], name="importjob_checksum_idx"),
            models.Index(fields=["created_by", "-created_at"], name="importjob_owner_recent_idx"),
        ]

    def __str__(self):
        return f"Import #{self.pk} {self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class ImportRowError(models.Model):
    """A rejected row (or a dropped cell) of an import: line, column, value and reason."""

    class Severity(models.TextChoices):
        ERROR = "error", "Row rejected"
        WARNING = "warning", "Value dropped"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.BigIntegerField(null=True, blank=True)
    column = models.CharField(max_length=200, blank=True)
    value = models.TextField(blank=True)
    reason = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)

    class Meta:
        ordering = ["job", "line", "id"]
        indexes = [models.Index(fields=["job", "line"], name="importrowerror_job_line_idx")]

    def __str__(self):
        return f"line {self.line}, {self.column}: {self.reason}"


class SavedSearch(models.Model):
    """A named set of ranked-list filters of one user: the list's query string, as shared."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(
        max_length=2000, blank=True, help_text="The list's query string, without the cursor."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedsearch_user_name_uniq"),
        ]

    def __str__(self):
        return self.name
