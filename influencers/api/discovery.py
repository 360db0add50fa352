"""The ranked list over the API: accounts and influencers with the page's filters, search and
sort orders, keyset ("cursor") pagination on the stored rank, and detail with scores,
explanation and history; plus the scoring profiles.

Same reads as the page (influencers.discovery), so the two never disagree. A brand the
requester does not work on is a 404; the list of every endpoint is scoped by the ranking,
which is chosen from brands visible to the requester.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.utils.urls import replace_query_param

from influencers import discovery
from influencers.filters import AccountScoreFilterSet
from influencers.models import ACCOUNT_METRIC_FIELDS, Influencer, MetricSnapshot, SocialAccount
from scoring.models import AccountScore, ScoringProfile

HISTORY_LIMIT = 120


class DiscoveryThrottle(ScopedRateThrottle):
    """Scope `discovery` (search and deep lists are the expensive reads): 600/minute unless
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["discovery"] says otherwise."""

    DEFAULT_RATE = "600/minute"

    def get_rate(self):
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(self.scope, self.DEFAULT_RATE)


# --- serializers ----------------------------------------------------------------------------


class DiscoveryScoresSerializer(serializers.ModelSerializer):
    """The 4R components (0–100, null = no input), total, confidence and value figures."""

    class Meta:
        model = AccountScore
        fields = [
            "rank",
            "reach",
            "resonance",
            "relevance",
            "relationship",
            "total",
            "confidence",
            "engagement_percentile",
            "engagement_tier",
            "is_suspicious",
            "expected_engagements",
            "cost_per_engagement",
            "fair_price_low",
            "fair_price_high",
            "is_overpriced",
        ]
        read_only_fields = fields


class RankedAccountSerializer(serializers.ModelSerializer):
    """One row of the ranked list: an account with its scores in the chosen ranking."""

    id = serializers.IntegerField(source="account_id", read_only=True)
    handle = serializers.CharField(source="account.handle", read_only=True)
    influencer_id = serializers.IntegerField(read_only=True)
    influencer_name = serializers.CharField(source="influencer.name", read_only=True)
    engagement_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="A fraction: 0.0139 is 1.39 %."
    )
    scores = DiscoveryScoresSerializer(source="*", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = AccountScore
        fields = [
            "id",
            "url",
            "handle",
            "platform",
            "influencer_id",
            "influencer_name",
            "followers",
            "follower_tier",
            "follower_growth",
            "engagement_rate",
            "engagement_rate_denominator",
            "country",
            "language",
            "categories",
            "has_contact_email",
            "price",
            "price_currency",
            "metrics_as_of",
            "scores",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, score):
        return self.url_template.format(score.account_id)

    @cached_property
    def url_template(self):
        path = reverse("api-account-detail", kwargs={"id": 0})
        request = self.context.get("request")
        url = request.build_absolute_uri(path) if request else path
        return url[: -len("/0/")] + "/{}/"

    def to_representation(self, score):
        """The declared fields, written out directly: the generic field-by-field walk cost
        a third of the endpoint's time for fifty rows. Same keys and types as declared."""
        data = {
            "id": score.account_id,
            "url": self.url_template.format(score.account_id),
            "handle": score.account.handle,
            "influencer_name": score.influencer.name if score.influencer else None,
        }
        for name in PLAIN_ROW_FIELDS:
            data[name] = getattr(score, name)
        if data["metrics_as_of"] is not None:
            data["metrics_as_of"] = data["metrics_as_of"].isoformat()
        data["scores"] = {name: getattr(score, name) for name in SCORE_FIELDS}
        return {name: data[name] for name in self.Meta.fields}


SCORE_FIELDS = DiscoveryScoresSerializer.Meta.fields
PLAIN_ROW_FIELDS = [
    name
    for name in RankedAccountSerializer.Meta.fields
    if name not in {"id", "url", "handle", "influencer_name", "scores"}
]


class RankedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Exact up to 10,000, else an estimate.")
    count_is_exact = serializers.BooleanField()
    next = serializers.URLField(allow_null=True, help_text="The next page (keyset on the rank).")
    ranking = serializers.IntegerField(help_text="The ranking read (profile × brand).")
    results = RankedAccountSerializer(many=True)


class MetricSnapshotHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricSnapshot
        fields = [
            "as_of",
            "source",
            "followers",
            "posts",
            "avg_likes",
            "avg_comments",
            "avg_views",
            "engagement_rate",
            "engagement_rate_denominator",
            "price_per_post",
            "price_currency",
        ]
        read_only_fields = fields


class AccountScoreDetailSerializer(DiscoveryScoresSerializer):
    explanation = serializers.SerializerMethodField(help_text="The score in words.")

    class Meta(DiscoveryScoresSerializer.Meta):
        fields = [
            *DiscoveryScoresSerializer.Meta.fields,
            "ranking",
            "follower_tier",
            "engagement_rate",
            "engagement_rate_denominator",
            "suspicious_reasons",
            "explanation",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_explanation(self, score):
        return self.context.get("explanations", {}).get(score.account_id, "")


class AccountDetailSerializer(serializers.ModelSerializer):
    """An account with current metrics (and their provenance), scores and history."""

    score = serializers.SerializerMethodField(help_text="Null: not in the chosen ranking.")
    history = serializers.SerializerMethodField()
    influencer_name = serializers.CharField(source="influencer.name", read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "handle",
            "url",
            "influencer",
            "influencer_name",
            *ACCOUNT_METRIC_FIELDS,
            "metrics_as_of",
            "metrics_source",
            "score",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(AccountScoreDetailSerializer(allow_null=True))
    def get_score(self, account):
        score = self.context.get("scores", {}).get(account.pk)
        if score is None:
            return None
        return AccountScoreDetailSerializer(score, context=self.context).data

    @extend_schema_field(MetricSnapshotHistorySerializer(many=True))
    def get_history(self, account):
        snapshots = self.context.get("history", {}).get(account.pk, [])
        return MetricSnapshotHistorySerializer(snapshots, many=True).data


class InfluencerDetailSerializer(serializers.ModelSerializer):
    accounts = serializers.SerializerMethodField()

    class Meta:
        model = Influencer
        fields = [
            "id",
            "name",
            "bio",
            "country",
            "language",
            "categories",
            "contact_email",
            "accounts",
        ]
        read_only_fields = fields

    @extend_schema_field(AccountDetailSerializer(many=True))
    def get_accounts(self, influencer):
        return AccountDetailSerializer(
            self.context["accounts"], many=True, context=self.context
        ).data


class ScoringProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringProfile
        fields = [
            "id",
            "name",
            "version",
            "description",
            "is_default",
            "engine_version",
            "parameters",
            "created_at",
        ]
        read_only_fields = fields


# --- views ----------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter(
        "profile",
        OpenApiTypes.INT,
        description="Scoring profile id (default: the default profile).",
    ),
    OpenApiParameter(
        "brand",
        OpenApiTypes.INT,
        description="Brand id (relevance and relationship for it; you must work on it).",
    ),
    OpenApiParameter(
        "after",
        OpenApiTypes.INT,
        description="Cursor: the `rank` of the last row of the previous page (use `next`).",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"1–{discovery.MAX_PAGE_SIZE} (default {discovery.PAGE_SIZE}).",
    ),
]


ACCOUNT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The account's id."
)
INFLUENCER_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The influencer's id."
)


def _scope_and_history(*, request, accounts):
    data = request.query_params
    try:
        ranking = discovery.visible_ranking(
            user=request.user,
            profile_id=discovery._int_or_none(data.get("profile")),
            brand_id=discovery._int_or_none(data.get("brand")),
        )
    except discovery.BrandNotVisible as error:
        raise Http404("No such brand.") from error
    ids = [account.pk for account in accounts]
    scores, explanations = discovery.scores_and_explanations(ranking=ranking, account_ids=ids)
    history = {}
    for snapshot in MetricSnapshot.objects.filter(account_id__in=ids).order_by(
        "account_id", "-as_of", "source"
    ):
        bucket = history.setdefault(snapshot.account_id, [])
        if len(bucket) < HISTORY_LIMIT:
            bucket.append(snapshot)
    return {
        "request": request,
        "scores": scores,
        "explanations": explanations,
        "history": history,
        "ranking": ranking,
    }


class RankedViewSet(viewsets.GenericViewSet):
    """The ranked lists (accounts, influencers): the page's read, throttled, keyset-paged;
    the detail is looked up by the id in the path."""

    queryset = AccountScore.objects.none()
    filterset_class = AccountScoreFilterSet
    throttle_classes = [DiscoveryThrottle]
    throttle_scope = "discovery"
    pagination_class = None
    lookup_url_kwarg = "id"
    lead_accounts_only = False

    def ranked_list(self, request):
        data = request.query_params
        try:
            page = discovery.ranked_page(
                user=request.user,
                data=data,
                page_size=discovery.page_size_of(data),
                lead_accounts_only=self.lead_accounts_only,
            )
        except discovery.BrandNotVisible as error:
            raise Http404("No such brand.") from error
        if page.filterset.form.errors:
            raise serializers.ValidationError(page.filterset.form.errors)
        if page.ranking is None:
            raise Http404("No ranking is published for this profile and brand yet.")
        next_url = None
        if page.next_after:
            next_url = replace_query_param(request.build_absolute_uri(), "after", page.next_after)
        body = {
            "count": page.count.value,
            "count_is_exact": page.count.is_exact,
            "next": next_url,
            "ranking": page.ranking.pk,
            "results": RankedAccountSerializer(
                page.rows, many=True, context={"request": request}
            ).data,
        }
        return Response(body)


def list_schema(summary, description):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=LIST_PARAMETERS,
        responses={200: RankedPageSerializer},
        filters=True,
    )


@extend_schema(tags=["discovery"])
class AccountViewSet(RankedViewSet):
    """Ranked social accounts."""

    # The detail is looked up by account id (the path says {id}); the stored scores' own
    # key is composite.
    lookup_field = "account_id"

    @list_schema(
        "Accounts ranked by the 4R score (or another sort), filtered and searched.",
        "Keyset pagination: follow `next` (it carries `after`, the last rank seen). The "
        "count is exact up to 10,000 rows and an estimate above (`count_is_exact`). 404 when "
        "no ranking is published for the profile and brand.",
    )
    def list(self, request):
        return self.ranked_list(request)

    @extend_schema(
        summary="One account: current metrics with provenance, scores, explanation, history.",
        parameters=[ACCOUNT_ID, *LIST_PARAMETERS[:2]],
        responses={200: AccountDetailSerializer},
    )
    def retrieve(self, request, **kwargs):
        account = get_object_or_404(
            SocialAccount.objects.select_related("influencer"), pk=kwargs["id"]
        )
        context = _scope_and_history(request=request, accounts=[account])
        return Response(AccountDetailSerializer(account, context=context).data)


@extend_schema(tags=["discovery"])
class InfluencerViewSet(RankedViewSet):
    """Ranked influencers (people): one row per person, through their best-ranked account."""

    lead_accounts_only = True
    lookup_field = "influencer_id"

    @list_schema(
        "Influencers ranked by their best account, filtered and searched.",
        "Each person appears once, through the account that ranks best for them in the "
        "chosen ranking; the filters apply to that account. Keyset pagination as for accounts.",
    )
    def list(self, request):
        return self.ranked_list(request)

    @extend_schema(
        summary="One influencer: every account with metrics, scores, explanation and history.",
        parameters=[INFLUENCER_ID, *LIST_PARAMETERS[:2]],
        responses={200: InfluencerDetailSerializer},
    )
    def retrieve(self, request, **kwargs):
        influencer = get_object_or_404(Influencer, pk=kwargs["id"])
        accounts = list(influencer.accounts.order_by("-followers", "platform"))
        context = _scope_and_history(request=request, accounts=accounts)
        context["accounts"] = accounts
        return Response(InfluencerDetailSerializer(influencer, context=context).data)


@extend_schema(tags=["discovery"])
class ScoringProfileViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Scoring profiles: every version of every profile (weights and thresholds)."""

    serializer_class = ScoringProfileSerializer
    queryset = ScoringProfile.objects.order_by("name", "-version")
    pagination_class = None
    filterset_fields = ["name", "is_default"]

    @extend_schema(summary="Every scoring profile version, newest version of each name first.")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


__all__ = [
    "AccountViewSet",
    "InfluencerViewSet",
    "ScoringProfileViewSet",
]
