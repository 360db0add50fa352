from django.contrib import admin
from django.db import models

from .models import (
    ACCOUNT_METRIC_FIELDS,
    ColumnMapping,
    ImportJob,
    ImportRowError,
    Influencer,
    MetricSnapshot,
    SocialAccount,
)

# Metrics come from imports (snapshots), never from hand edits: they are read-only here.
METRIC_FIELDS = ACCOUNT_METRIC_FIELDS
# Links typed without a scheme are https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
PROVENANCE_FIELDS = ("metrics_as_of", "metrics_source", "needs_rescore", "created_at", "updated_at")
SCORE_FIELDS = ("score_summary", "score_explanation")


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    fields = ("platform", "handle", "followers", "engagement_rate", "metrics_as_of")
    readonly_fields = ("followers", "engagement_rate", "metrics_as_of")
    extra = 0
    show_change_link = True


@admin.register(Influencer)
class InfluencerAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "language", "contact_email", "updated_at")
    list_filter = ("country", "language")
    search_fields = ("name", "bio", "contact_email", "accounts__handle")
    readonly_fields = ("created_at", "updated_at")
    inlines = [SocialAccountInline]
    show_full_result_count = False


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = (
        "handle",
        "platform",
        "influencer",
        "followers",
        "engagement_rate",
        "metrics_as_of",
        "metrics_source",
    )
    list_filter = ("platform", "needs_rescore", "price_currency")
    search_fields = ("handle", "influencer__name", "external_id")
    list_select_related = ("influencer",)
    raw_id_fields = ("influencer",)
    readonly_fields = METRIC_FIELDS + PROVENANCE_FIELDS + SCORE_FIELDS
    formfield_overrides = URL_FIELDS
    fieldsets = (
        (None, {"fields": ("influencer", "platform", "handle", "url", "external_id")}),
        ("Score (default profile, published ranking)", {"fields": SCORE_FIELDS}),
        ("Current metrics (from the newest snapshot)", {"fields": METRIC_FIELDS}),
        ("Provenance", {"fields": PROVENANCE_FIELDS}),
    )
    # Counting a million rows on every changelist page is what makes admin slow.
    show_full_result_count = False

    def _default_score(self, account):
        from scoring.models import AccountScore, Ranking, ScoringProfile

        if not hasattr(account, "_default_score"):
            profile = ScoringProfile.objects.default()
            ranking = profile and Ranking.objects.published_for(profile)
            account._default_score = (
                AccountScore.objects.filter(ranking=ranking, account=account)
                .select_related("ranking__profile")
                .first()
                if ranking
                else None
            )
        return account._default_score

    @admin.display(description="Score")
    def score_summary(self, account):
        score = self._default_score(account)
        if score is None:
            return "Not scored yet: run `manage.py score`."
        total = "—" if score.total is None else f"{score.total:.0f}/100"
        return (
            f"Rank {score.rank:,} · total {total} · confidence {score.confidence:.2f} · "
            f"{score.ranking.profile} · ranking #{score.ranking_id} of {score.ranking.scored_on}"
        )

    @admin.display(description="Why")
    def score_explanation(self, account):
        score = self._default_score(account)
        return score.explanation if score else ""


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are append-only history: viewable, never edited here."""

    list_display = ("account", "as_of", "source", "followers", "engagement_rate")
    list_filter = ("source",)
    search_fields = ("account__handle",)
    date_hierarchy = "as_of"
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ("line", "column", "value", "reason", "severity")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        # The first rows only: a million-row report would not render.
        queryset = super().get_queryset(request)
        ids = queryset.values_list("id", flat=True)[:200]
        return queryset.filter(id__in=list(ids))


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs are records of what happened: read-only here (imports start from the app)."""

    list_display = (
        "id",
        "original_name",
        "source",
        "status",
        "rows_read",
        "rows_created",
        "rows_updated",
        "rows_rejected",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "format", "is_dry_run")
    search_fields = ("original_name", "source", "checksum")
    inlines = [ImportRowErrorInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "created_by", "updated_at")
    search_fields = ("source",)
    readonly_fields = ("updated_at",)
