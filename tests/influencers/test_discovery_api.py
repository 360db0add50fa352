"""The discovery API: ranked accounts and influencers with the page's filters, keyset
pages, detail with scores, explanation and history, scoring profiles, access, schema."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import BrandFactory, InfluencerFactory, SocialAccountFactory
from tests.influencers.discovery_data import HANDLES, build_catalogue, publish_ranking


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ranked(db):
    accounts = build_catalogue()
    return accounts, publish_ranking()


def handles(body):
    return [row["handle"] for row in body["results"]]


@pytest.mark.django_db
def test_accounts_are_listed_in_rank_order_with_their_scores(api, ranked):
    _, ranking = ranked

    response = api.get("/api/v1/accounts/")

    assert response.status_code == 200
    body = response.json()
    assert set(handles(body)) == HANDLES
    assert [row["scores"]["rank"] for row in body["results"]] == list(range(1, 13))
    assert (body["count"], body["count_is_exact"], body["next"]) == (12, True, None)
    assert body["ranking"] == ranking.pk
    first = body["results"][0]
    from influencers.api.discovery import DiscoveryScoresSerializer, RankedAccountSerializer

    assert list(first) == RankedAccountSerializer.Meta.fields
    assert list(first["scores"]) == DiscoveryScoresSerializer.Meta.fields
    assert isinstance(first["metrics_as_of"], str)
    assert first["url"].endswith(f"/api/v1/accounts/{first['id']}/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"platform": "tiktok"}, {"dan_dives", "finn_fit", "jon_jokes"}),
        ({"tier": "micro", "country": "DE"}, {"ben_bakes", "ida_ink", "kim_knits", "leo_lifts"}),
        ({"q": "vegan"}, {"anna_runs", "eve_eats", "kim_knits"}),
        ({"engagement_min": "6"}, {"anna_runs", "dan_dives", "jon_jokes"}),
        ({"price_max": "150", "has_email": "true"}, {"anna_runs", "ida_ink"}),
    ],
)
def test_accounts_take_the_pages_filters(api, ranked, params, expected):
    response = api.get("/api/v1/accounts/", params)

    assert set(handles(response.json())) == expected


@pytest.mark.django_db
def test_following_next_walks_every_account_once(api, ranked):
    first = api.get("/api/v1/accounts/", {"sort": "followers", "page_size": 5}).json()
    everything = api.get("/api/v1/accounts/", {"sort": "followers"}).json()
    seen, body = handles(first), first
    while body["next"]:
        body = api.get(body["next"]).json()
        seen += handles(body)

    assert seen == handles(everything)
    assert len(seen) == 12


@pytest.mark.django_db
def test_the_list_endpoint_costs_three_queries(api, ranked, django_assert_max_num_queries):
    for params in [{}, {"platform": "instagram", "sort": "price"}, {"after": 4, "q": "fit"}]:
        with django_assert_max_num_queries(3):
            assert api.get("/api/v1/accounts/", params).status_code == 200


@pytest.mark.django_db
def test_influencers_are_listed_once_through_their_best_account(api, ranked):
    accounts, _ = ranked
    person = accounts["anna_runs"].influencer
    SocialAccountFactory(influencer=person, platform="tiktok", handle="anna_runs", followers=900)
    publish_ranking()

    body = api.get("/api/v1/influencers/").json()

    names = [row["influencer_name"] for row in body["results"]]
    assert len(names) == len(set(names)) == 12
    assert body["count"] == 12


@pytest.mark.django_db
def test_invalid_filters_are_a_400_in_the_api_error_format(api, ranked):
    response = api.get("/api/v1/accounts/", {"followers_min": "lots"})

    assert response.status_code == 400
    assert "followers_min" in response.json()["error"]["detail"]


@pytest.mark.django_db
def test_without_a_ranking_the_list_is_a_404_that_says_why(api):
    response = api.get("/api/v1/accounts/")

    assert response.status_code == 404
    assert "No ranking" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_another_agencys_brand_is_a_404(api, ranked):
    foreign = BrandFactory()
    publish_ranking(brand=foreign)

    assert api.get("/api/v1/accounts/", {"brand": foreign.pk}).status_code == 404
    assert api.get("/api/v1/influencers/1/", {"brand": foreign.pk}).status_code == 404


@pytest.mark.django_db
def test_account_detail_has_scores_explanation_provenance_and_history(api, ranked):
    accounts, _ = ranked
    account = accounts["ben_bakes"]

    body = api.get(f"/api/v1/accounts/{account.pk}/").json()

    assert body["handle"] == "ben_bakes"
    assert body["metrics_source"] == "factory"
    assert body["score"]["rank"] >= 1
    assert "ben_bakes" in body["score"]["explanation"] or body["score"]["explanation"]
    assert [point["followers"] for point in body["history"]] == [24_000, 26_000]


@pytest.mark.django_db
def test_influencer_detail_lists_every_account(api, ranked):
    accounts, _ = ranked
    person = accounts["cara_codes"].influencer
    SocialAccountFactory(influencer=person, platform="x", handle="cara_x", followers=5_000)

    body = api.get(f"/api/v1/influencers/{person.pk}/").json()

    assert body["name"] == person.name
    assert {account["handle"] for account in body["accounts"]} == {"cara_codes", "cara_x"}
    by_handle = {account["handle"]: account for account in body["accounts"]}
    assert by_handle["cara_x"]["score"] is None  # not scored yet
    assert by_handle["cara_codes"]["score"]["total"] is not None


@pytest.mark.django_db
def test_detail_of_a_missing_influencer_is_a_404(api):
    assert api.get("/api/v1/influencers/999999/").status_code == 404
    assert api.get("/api/v1/accounts/999999/").status_code == 404


@pytest.mark.django_db
def test_scoring_profiles_are_listed(api, ranked):
    body = api.get("/api/v1/profiles/").json()

    names = {profile["name"] for profile in body}
    assert "default" in names
    assert [profile["name"] for profile in body if profile["is_default"]] == ["default"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/",
        "/api/v1/accounts/1/",
        "/api/v1/influencers/",
        "/api/v1/influencers/1/",
        "/api/v1/profiles/",
    ],
)
def test_anonymous_api_calls_are_401(client, path):
    InfluencerFactory()

    response = client.get(path, HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_the_list_endpoints_are_throttled(api, ranked, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "discovery": "2/minute",
        },
    }
    from django.core.cache import cache

    cache.clear()
    statuses = [api.get("/api/v1/accounts/").status_code for _ in range(3)]
    cache.clear()

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    text = (tmp_path / "schema.yaml").read_text()
    for path in ["/api/v1/accounts/", "/api/v1/influencers/{id}/", "/api/v1/profiles/"]:
        assert path in text
