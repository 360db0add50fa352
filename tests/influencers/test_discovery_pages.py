"""The influencer page (accounts, provenance, charts' data, explanation, benchmarks,
relationship editing, similar influencers) and the dashboard's activity panel."""

import json

import pytest
from django.urls import reverse

from campaigns.models import Relationship, RelationshipEvent
from influencers.models import ImportJob
from tests.factories import BrandFactory, RelationshipFactory, SocialAccountFactory
from tests.influencers.discovery_data import build_catalogue, publish_ranking


@pytest.fixture
def ranked(db):
    accounts = build_catalogue()
    return accounts, publish_ranking()


def chart_data(response):
    content = response.content.decode()
    start = content.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return json.loads(content[start : content.index("</script>", start)])


@pytest.mark.django_db
def test_the_influencer_page_shows_every_account_with_provenance(logged_in_client, ranked):
    accounts, _ = ranked
    person = accounts["anna_runs"].influencer
    SocialAccountFactory(influencer=person, platform="tiktok", handle="anna_tok", followers=2_000)

    response = logged_in_client.get(reverse("influencer-detail", args=[person.pk]))

    assert response.status_code == 200
    handles = [account.handle for account in response.context["accounts"]]
    assert set(handles) == {"anna_runs", "anna_tok"}
    content = response.content.decode()
    assert "source: factory" in content
    assert "days old" in content
    assert response.context["lead"].handle == "anna_runs"


@pytest.mark.django_db
def test_the_influencer_page_explains_the_score_and_feeds_the_charts(logged_in_client, ranked):
    accounts, _ = ranked
    account = accounts["ben_bakes"]

    response = logged_in_client.get(reverse("influencer-detail", args=[account.influencer_id]))

    data = chart_data(response)
    assert data["components"][0]["label"] == "Instagram @ben_bakes"
    assert len(data["components"][0]["values"]) == 5
    history = data["history"][0]
    assert history["followers"] == [26_000, 24_000]
    assert len(history["dates"]) == 2
    lead = response.context["accounts"][0]
    assert lead.explanation  # the engine's words
    assert 'data-testid="explanation"' in response.content.decode()
    assert "HypeAuditor" in response.content.decode()  # the published reference, labelled


@pytest.mark.django_db
def test_the_influencer_page_compares_engagement_with_its_tier(logged_in_client, ranked):
    accounts, ranking = ranked
    from scoring.models import TierBenchmark

    account = accounts["leo_lifts"]
    benchmark = TierBenchmark.objects.get(
        ranking=ranking, platform="instagram", follower_tier="micro"
    )

    data = chart_data(
        logged_in_client.get(reverse("influencer-detail", args=[account.influencer_id]))
    )

    (distribution,) = data["distributions"]
    assert distribution["tier"] == "micro"
    assert distribution["n"] == benchmark.n
    assert distribution["account_rate"] == pytest.approx(5.2)
    assert distribution["rates"][4] == pytest.approx(round(benchmark.percentiles[50] * 100, 3))


@pytest.mark.django_db
def test_similar_influencers_share_platform_tier_and_categories(logged_in_client, ranked):
    accounts, _ = ranked

    response = logged_in_client.get(
        reverse("influencer-detail", args=[accounts["leo_lifts"].influencer_id])
    )

    similar = [(item.handle, item.reason) for item in response.context["similar"]]
    # instagram micro sharing fitness or food: Eve (food, vegan) and Ben (food, baking); not
    # Ida (art). "baking" is rarer than "vegan", so Ben's profile is further from Leo's.
    assert similar == [("eve_eats", "shares food"), ("ben_bakes", "shares food")]


@pytest.mark.django_db
def test_a_member_changes_the_relationship_stage_and_records_an_event(
    logged_in_client, user, ranked
):
    accounts, _ = ranked
    brand = BrandFactory()
    brand.members.add(user)
    person = accounts["ida_ink"].influencer

    response = logged_in_client.post(
        reverse("influencer-relationship", args=[person.pk]),
        {
            "brand": brand.pk,
            "stage": "active",
            "event_kind": "contacted",
            "event_on": "2026-11-20",
            "notes": "Prefers product + affiliate",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?brand={brand.pk}")
    relationship = Relationship.objects.get(brand=brand, influencer=person)
    assert (relationship.stage, relationship.notes) == ("active", "Prefers product + affiliate")
    event = RelationshipEvent.objects.get(relationship=relationship)
    assert (event.kind, str(event.occurred_on), event.created_by) == (
        "contacted",
        "2026-11-20",
        user,
    )
    page = logged_in_client.get(response["Location"])
    assert page.context["relationship"] == relationship


@pytest.mark.django_db
def test_another_agencys_brand_relationship_cannot_be_changed(logged_in_client, ranked):
    accounts, _ = ranked
    foreign = BrandFactory()
    person = accounts["ida_ink"].influencer
    RelationshipFactory(brand=foreign, influencer=person, stage="engaged")

    response = logged_in_client.post(
        reverse("influencer-relationship", args=[person.pk]),
        {"brand": foreign.pk, "stage": "none"},
    )
    page = logged_in_client.get(
        reverse("influencer-detail", args=[person.pk]), {"brand": foreign.pk}
    )

    assert response.status_code == 404
    assert page.status_code == 404
    assert Relationship.objects.get(brand=foreign, influencer=person).stage == "engaged"
    assert not RelationshipEvent.objects.exists()


@pytest.mark.django_db
def test_the_influencer_page_works_before_any_ranking(logged_in_client):
    account = SocialAccountFactory()

    response = logged_in_client.get(reverse("influencer-detail", args=[account.influencer_id]))

    assert response.status_code == 200
    assert b"No ranking is published" in response.content


@pytest.mark.django_db
def test_a_missing_influencer_is_a_404(logged_in_client):
    assert logged_in_client.get(reverse("influencer-detail", args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_the_dashboard_shows_recent_imports_and_movers(logged_in_client, user, ranked):
    for name, owner in [("october.csv", user), ("someone-elses.csv", None)]:
        ImportJob.objects.create(
            file=f"imports/{name}",
            original_name=name,
            checksum="0" * 64,
            source=name,
            created_by=owner,
        )

    response = logged_in_client.get(reverse("home-activity"))

    assert response.status_code == 200
    assert [job.original_name for job in response.context["imports"]] == ["october.csv"]
    (_, gaining), (_, losing) = response.context["movers"]
    assert gaining[0].account.handle == "jon_jokes"  # +50 %
    assert losing[0].account.handle == "ben_bakes"  # −7.7 %
    assert b"+50.0 %" in response.content


@pytest.mark.django_db
def test_the_dashboard_has_its_chart_and_loads_activity_lazily(logged_in_client, ranked):
    response = logged_in_client.get(reverse("home"))

    assert b'id="tier-chart"' in response.content
    assert reverse("home-activity").encode() in response.content


@pytest.mark.django_db
def test_a_large_databases_tier_table_is_counted_at_most_every_ten_minutes():
    from django.core.cache import cache

    from influencers.selectors import platform_tier_counts

    cache.clear()
    SocialAccountFactory(platform="tiktok", followers=20_000)
    first, counted_at = platform_tier_counts(is_large=True)
    SocialAccountFactory(platform="tiktok", followers=20_000)

    cached, cached_at = platform_tier_counts(is_large=True)
    fresh, _ = platform_tier_counts(is_large=False)
    cache.clear()

    assert cached == first and cached_at == counted_at
    assert [row["accounts"] for row in first] == [1]
    assert [row["accounts"] for row in fresh] == [2]
