"""The read vocabulary for accounts: chainable, never writing."""

import dataclasses

from django.db import models
from django.db.models import Case, Count, Q, Value, When

from scoring.engine.profile import DEFAULT_PROFILE

# Follower tiers of the default scoring profile (DESIGN.md), largest first; other profiles
# define their own thresholds.
DEFAULT_FOLLOWER_TIERS = tuple(reversed(dataclasses.asdict(DEFAULT_PROFILE.follower_tiers).items()))
BELOW_NANO = "below nano"


def follower_tier_expression(tiers=DEFAULT_FOLLOWER_TIERS):
    """A SQL CASE that names the tier of `followers` (NULL followers: NULL tier)."""
    whens = [When(followers__gte=floor, then=Value(name)) for name, floor in tiers]
    whens.append(When(followers__isnull=False, then=Value(BELOW_NANO)))
    return Case(*whens, default=None, output_field=models.CharField())


class SocialAccountQuerySet(models.QuerySet):
    def on_platform(self, platform):
        return self.filter(platform=platform)

    def with_followers_between(self, low=None, high=None):
        queryset = self
        if low is not None:
            queryset = queryset.filter(followers__gte=low)
        if high is not None:
            queryset = queryset.filter(followers__lt=high)
        return queryset

    def micro(self, tiers=DEFAULT_FOLLOWER_TIERS):
        floors = dict(tiers)
        return self.with_followers_between(floors["micro"], floors["mid"])

    def needing_rescore(self):
        return self.filter(needs_rescore=True)

    def counts_by_platform_and_tier(self, tiers=DEFAULT_FOLLOWER_TIERS):
        """Rows of {platform, tier, accounts}, one per pair that has accounts."""
        return (
            self.annotate(tier=follower_tier_expression(tiers))
            .values("platform", "tier")
            .annotate(accounts=Count("id"))
            .order_by("platform", "tier")
        )

    def with_contact(self):
        return self.filter(~Q(influencer__contact_email=""))


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports a user may see: their own (staff see every import)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(created_by=user)
