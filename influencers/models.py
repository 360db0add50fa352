"""People, their social accounts and the append-only history of each account's metrics.

Unknown is NULL, never 0: a platform that hides likes does not mean zero likes. Text
fields follow Django's convention instead (empty string = not known) so forms and
filters need no two kinds of "empty".
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from .querysets import SocialAccountQuerySet


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    TWITCH = "twitch", "Twitch"
    BLOG = "blog", "Blog"
    PODCAST = "podcast", "Podcast"


class EngagementDenominator(models.TextChoices):
    FOLLOWERS = "followers", "per follower"
    VIEWS = "views", "per view"


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
        ]

    def __str__(self):
        return f"@{self.handle} ({self.get_platform_display()})"


class MetricSnapshot(models.Model):
    """Append-only: the metrics of one account as of one date, from one source."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField()
    source = models.CharField(max_length=100, help_text="Which file, API or vendor.")

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
