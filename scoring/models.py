"""Scoring profiles, rankings (one build of scores), tier benchmarks, stored scores and the
exchange rates that put prices in one currency."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from .querysets import RankingQuerySet, ScoringProfileQuerySet


class ScoringProfile(models.Model):
    """One version of a named profile: every weight and threshold of the engine.

    Versions are never edited: editing a profile creates the next version, so every stored
    score can name the exact parameters it was computed with.
    """

    name = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    parameters = models.JSONField(help_text="scoring.engine.Profile.to_dict()")
    engine_version = models.CharField(max_length=20)
    is_default = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScoringProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="profile_name_version_uniq"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="profile_one_default"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class RankingKind(models.TextChoices):
    FULL = "full", "Full rescoring (benchmarks recomputed)"
    CHANGED = "changed", "Changed accounts only"


class RankingStatus(models.TextChoices):
    BUILDING = "building", "Building"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    FAILED = "failed", "Failed"


class Ranking(models.Model):
    """One build of the scores of every account under a profile version (and a brand).

    Readers use the published ranking of a (profile, brand); a new build is written aside
    and published in one step, so nobody sees a half-old, half-new ranking.
    """

    profile = models.ForeignKey(ScoringProfile, on_delete=models.PROTECT, related_name="rankings")
    brand = models.ForeignKey(
        "campaigns.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="rankings"
    )
    kind = models.CharField(max_length=10, choices=RankingKind.choices)
    status = models.CharField(
        max_length=12, choices=RankingStatus.choices, default=RankingStatus.BUILDING
    )
    # Benchmarks are recomputed by full rescorings; a "changed" build reuses its base's.
    base = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_on = models.DateField(help_text="The 'today' of staleness and recency.")
    currency_rates = models.JSONField(
        default=dict,
        blank=True,
        help_text="{currency: units per US dollar} the prices were converted with: read once "
        "when the build starts, so every chunk and every later explanation uses the same.",
    )
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    accounts_scored = models.PositiveIntegerField(default=0)
    accounts_ranked = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RankingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "brand"],
                condition=Q(status="published"),
                nulls_distinct=False,
                name="ranking_one_published",
            ),
        ]

    def __str__(self):
        scope = f" for {self.brand}" if self.brand_id else ""
        return f"Ranking #{self.pk} ({self.profile}{scope}, {self.get_status_display()})"

    @property
    def progress(self):
        if not self.chunks_total:
            return 0.0
        return len(set(self.chunks_done)) / self.chunks_total


class TierBenchmark(models.Model):
    """Engagement-rate percentiles of one platform × follower tier, from the data."""

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="benchmarks")
    platform = models.CharField(max_length=20)
    follower_tier = models.CharField(max_length=20, help_text="'all': the whole platform.")
    n = models.PositiveIntegerField(help_text="Accounts with a known engagement rate.")
    percentiles = ArrayField(
        models.FloatField(null=True), size=101, help_text="p0..p100 of the engagement rate."
    )
    n_priced = models.PositiveIntegerField(default=0)
    median_cpe = models.FloatField(null=True, blank=True, help_text="Median cost per engagement.")

    class Meta:
        ordering = ["ranking", "platform", "follower_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["ranking", "platform", "follower_tier"], name="benchmark_tier_uniq"
            ),
        ]

    def __str__(self):
        return f"{self.platform} {self.follower_tier} (n={self.n})"

    def percentile(self, level):
        return self.percentiles[level]


class AccountScore(models.Model):
    """The score of one account in one ranking: components, tiers, rank and explanation.

    The table is partitioned by ranking (see migration 0001 and scoring/storage.py): a
    ranking is built as its own table with COPY, indexed, and attached. Django does not
    manage it; a test checks that these fields and the table's columns agree.
    """

    pk = models.CompositePrimaryKey("ranking", "account")
    ranking = models.ForeignKey(Ranking, on_delete=models.DO_NOTHING, db_constraint=False)
    account = models.ForeignKey(
        "influencers.SocialAccount",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="scores",
    )
    # (account, metrics_as_of, metrics_source) is the natural key of the snapshot used.
    metrics_as_of = models.DateField(null=True)
    metrics_source = models.CharField(max_length=100)
    rank = models.IntegerField(help_text="1 = best; ties broken by account id.")
    platform = models.CharField(max_length=20)
    followers = models.BigIntegerField(null=True)
    follower_tier = models.CharField(max_length=20, null=True)  # noqa: DJ001 (NULL: unknown)
    engagement_rate = models.FloatField(null=True)
    engagement_rate_denominator = models.CharField(max_length=10, null=True)  # noqa: DJ001 (NULL: unknown)
    engagement_rate_per_view = models.FloatField(null=True)
    engagement_percentile = models.FloatField(null=True)
    engagement_tier = models.CharField(max_length=20, null=True)  # noqa: DJ001 (NULL: unknown)
    is_suspicious = models.BooleanField()
    suspicious_reasons = models.TextField()
    reach = models.FloatField(null=True)
    resonance = models.FloatField(null=True)
    relevance = models.FloatField(null=True)
    relationship = models.FloatField(null=True)
    total = models.FloatField(null=True)
    confidence = models.FloatField()
    expected_engagements = models.FloatField(null=True)
    cost_per_engagement = models.FloatField(null=True)
    fair_price_low = models.FloatField(null=True)
    fair_price_high = models.FloatField(null=True)
    is_overpriced = models.BooleanField()
    # Denormalized for discovery (scoring/storage.py DISCOVERY_COLUMNS): the ranked list
    # filters, sorts and searches one partition without joining the account tables.
    influencer = models.ForeignKey(
        "influencers.Influencer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    is_lead_account = models.BooleanField(null=True, help_text="The person's best-ranked account.")
    country = models.CharField(max_length=2, null=True)  # noqa: DJ001 (older rankings: NULL)
    language = models.CharField(max_length=8, null=True)  # noqa: DJ001
    categories = ArrayField(models.CharField(max_length=60), null=True)
    has_contact_email = models.BooleanField(null=True)
    price = models.FloatField(null=True)
    price_currency = models.CharField(max_length=3, null=True)  # noqa: DJ001
    follower_growth = models.FloatField(null=True, help_text="Since the previous snapshot.")
    search_vector = SearchVectorField(null=True)

    class Meta:
        managed = False
        db_table = "scoring_accountscore"
        ordering = ["ranking", "rank"]

    def __str__(self):
        return f"#{self.rank} account {self.account_id} ({self.total})"

    @property
    def explanation(self):
        """The score in words (computed when shown; see scoring.services.explain_scores)."""
        from scoring.services import explain_scores

        return explain_scores(self.ranking, [self.account_id]).get(self.account_id, "")


class ExchangeRate(models.Model):
    """How many units of a currency one US dollar buys, as of a date (a reference rate).

    Every row has the same base, the US dollar, so any two currencies convert through it
    (scoring.currency.current_rates feeds the newest rate of each to the engine, which
    converts prices to the profile's reference currency). Rates are kept per date rather
    than overwritten: a new rate is a new row, and the newest one counts.
    """

    BASE_CURRENCY = "USD"

    currency = models.CharField(
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code in capitals, e.g. EUR.")],
        help_text="ISO 4217 code, e.g. EUR.",
    )
    units_per_usd = models.DecimalField(
        "units per US dollar",
        max_digits=20,
        decimal_places=8,
        help_text="Units of this currency one US dollar buys (EUR 0.85 means 1 USD = 0.85 EUR).",
    )
    as_of = models.DateField(help_text="The date the rate is for.")
    source = models.CharField(
        max_length=200, help_text="Where the rate comes from, e.g. 'ECB reference rates'."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "as_of"], name="exchange_rate_per_day"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="exchange_rate_iso_code"
            ),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchange_rate_positive"),
            # The base buys exactly one of itself: any other value would skew every price.
            models.CheckConstraint(
                condition=~Q(currency="USD") | Q(units_per_usd=1), name="exchange_rate_base_is_one"
            ),
        ]

    def __str__(self):
        return f"1 USD = {self.units_per_usd.normalize():f} {self.currency} on {self.as_of}"
