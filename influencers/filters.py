"""The filters of the ranked list, shared by the page, the CSV export and the API.

One FilterSet over the stored scores (``scoring.AccountScore``): every filter reads a column
of the ranking's own partition (denormalized by scoring/storage.py), so a filtered page is
one index walk. The scoring profile, the brand, the sort order and the keyset cursor are
validated here too but applied by ``influencers.discovery`` (they choose the partition and
the index rather than narrow the rows).
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.models import Relationship, RelationshipStage
from scoring import storage
from scoring.engine import ENGAGEMENT_TIERS, FOLLOWER_TIERS
from scoring.models import AccountScore

from .models import Platform

SORTS = {
    "rank": "Rank (4R total)",
    "reach": "Reach",
    "resonance": "Resonance",
    "relevance": "Relevance",
    "relationship": "Relationship",
    "followers": "Followers",
    "engagement_rate": "Engagement rate",
    "cost_per_engagement": "Cost per engagement",
    "price": "Price",
    "growth": "Follower growth",
}
FOLLOWER_TIER_CHOICES = [(tier, tier.capitalize()) for tier in FOLLOWER_TIERS]
ENGAGEMENT_TIER_CHOICES = [(tier, tier.capitalize()) for tier in ENGAGEMENT_TIERS]
# Filters that choose the partition or the order, not rows (applied by discovery.py).
CONTROL_FIELDS = ("profile", "brand", "sort", "after", "page_size")
SEARCH_TERMS = 8


def key_range(queryset, sort, *, low=None, high=None):
    """`low <= value <= high` written on the sort's key expression, so the range is read
    from the sort's index (scoring/storage.py) instead of scanning the partition."""
    column, direction = storage.SORT_COLUMNS[sort]
    key = storage.sort_key_sql(sort, table=f'"{storage.PARENT_TABLE}"')
    conditions = []
    if direction == "desc":  # key = -value, NULL = +Infinity
        if low is not None:
            conditions.append((f"{key} <= %s", -float(low)))
        if high is not None:
            conditions.append((f"{key} >= %s", -float(high)))
            queryset = queryset.filter(**{f"{column}__isnull": False})
    else:  # key = value, NULL = +Infinity
        if low is not None:
            conditions.append((f"{key} >= %s", float(low)))
            queryset = queryset.filter(**{f"{column}__isnull": False})
        if high is not None:
            conditions.append((f"{key} <= %s", float(high)))
    for sql, value in conditions:
        queryset = queryset.filter(RawSQL(sql, [value], output_field=BooleanField()))
    return queryset


def search_query(text):
    """Words → a tsquery ('vegan & berl:*'): every word must be a word of the name, handle,
    bio or categories, the last one (being typed) may be the start of one. Whole words
    are read straight from the index; a prefix costs a range of it, so only one is. Only
    letters and digits are kept, so no user input reaches the tsquery syntax."""
    words = re.findall(r"\w+", text.lower())[:SEARCH_TERMS]
    if not words:
        return None
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


class AccountScoreFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Words matched against name, handle, bio and categories (prefixes).",
    )
    platform = django_filters.ChoiceFilter(choices=Platform.choices, empty_label="Any platform")
    tier = django_filters.ChoiceFilter(
        field_name="follower_tier",
        choices=FOLLOWER_TIER_CHOICES,
        label="Follower tier",
        empty_label="Any tier",
    )
    engagement_tier = django_filters.ChoiceFilter(
        choices=ENGAGEMENT_TIER_CHOICES, label="Engagement tier", empty_label="Any"
    )
    followers_min = django_filters.NumberFilter(
        method="filter_followers_min", label="Followers from", min_value=0
    )
    followers_max = django_filters.NumberFilter(
        method="filter_followers_max", label="Followers up to", min_value=0
    )
    engagement_min = django_filters.NumberFilter(
        method="filter_engagement_min",
        label="Engagement from (%)",
        min_value=0,
        help_text="Per cent, e.g. 2.5.",
    )
    engagement_max = django_filters.NumberFilter(
        method="filter_engagement_max", label="Engagement up to (%)", min_value=0
    )
    country = django_filters.CharFilter(
        method="filter_country", label="Country", help_text="ISO code, e.g. DE.", max_length=2
    )
    language = django_filters.CharFilter(
        method="filter_language", label="Language", help_text="ISO code, e.g. de.", max_length=8
    )
    category = django_filters.CharFilter(method="filter_category", label="Category")
    price_min = django_filters.NumberFilter(
        method="filter_price_min", label="Price from", min_value=0
    )
    price_max = django_filters.NumberFilter(
        method="filter_price_max", label="Price up to", min_value=0
    )
    stage = django_filters.ChoiceFilter(
        choices=RelationshipStage.choices,
        method="filter_stage",
        label="Relationship stage",
        empty_label="Any stage",
        help_text="With the chosen brand (ignored without one).",
    )
    has_email = django_filters.BooleanFilter(
        method="filter_has_email", label="Has contact email", widget=forms.CheckboxInput
    )
    hide_suspicious = django_filters.BooleanFilter(
        method="filter_hide_suspicious", label="Hide suspicious", widget=forms.CheckboxInput
    )
    fresh_days = django_filters.NumberFilter(
        method="filter_fresh_days", label="Metrics newer than (days)", min_value=1
    )
    # Controls (see CONTROL_FIELDS): validated here, applied by influencers.discovery.
    sort = django_filters.ChoiceFilter(
        choices=list(SORTS.items()), method="keep", label="Sort by", empty_label=None
    )
    profile = django_filters.NumberFilter(method="keep", label="Scoring profile")
    brand = django_filters.NumberFilter(method="keep", label="Brand")
    after = django_filters.NumberFilter(
        method="keep",
        label="After rank",
        min_value=0,
        help_text="Keyset cursor: the last rank seen.",
    )

    class Meta:
        model = AccountScore
        fields = []

    def __init__(self, *args, brand_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.brand_id = brand_id
        for name in ("platform", "tier", "engagement_tier", "stage"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def keep(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        query = search_query(value)
        if query is None:
            return queryset
        return queryset.filter(search_vector=SearchQuery(query, search_type="raw", config="simple"))

    def filter_followers_min(self, queryset, name, value):
        return key_range(queryset, "followers", low=value)

    def filter_followers_max(self, queryset, name, value):
        return key_range(queryset, "followers", high=value)

    def filter_engagement_min(self, queryset, name, value):
        return key_range(queryset, "engagement_rate", low=float(value) / 100)

    def filter_engagement_max(self, queryset, name, value):
        return key_range(queryset, "engagement_rate", high=float(value) / 100)

    def filter_price_min(self, queryset, name, value):
        return key_range(queryset, "price", low=value)

    def filter_price_max(self, queryset, name, value):
        return key_range(queryset, "price", high=value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())

    def filter_language(self, queryset, name, value):
        return queryset.filter(language=value.strip().lower())

    def filter_category(self, queryset, name, value):
        value = value.strip().lower()
        return queryset.filter(categories__contains=[value]) if value else queryset

    def filter_stage(self, queryset, name, value):
        if not self.brand_id:
            return queryset
        related = Relationship.objects.filter(brand_id=self.brand_id)
        if value == RelationshipStage.NONE:
            staged = related.exclude(stage=RelationshipStage.NONE)
            return queryset.exclude(influencer_id__in=staged.values("influencer_id"))
        return queryset.filter(
            influencer_id__in=related.filter(stage=value).values("influencer_id")
        )

    def filter_has_email(self, queryset, name, value):
        return queryset.filter(has_contact_email=True) if value else queryset

    def filter_hide_suspicious(self, queryset, name, value):
        return queryset.filter(is_suspicious=False) if value else queryset

    def filter_fresh_days(self, queryset, name, value):
        since = timezone.localdate() - dt.timedelta(days=int(value))
        return queryset.filter(metrics_as_of__gte=since)

    @property
    def active_filters(self):
        """Names of the row filters in use (not the controls)."""
        data = self.form.cleaned_data if self.form.is_bound and self.is_valid() else {}
        return [
            name
            for name, value in data.items()
            if name not in CONTROL_FIELDS and value not in (None, "", False)
        ]
