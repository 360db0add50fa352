import pytest
from django.urls import reverse

from tests.factories import BrandFactory, RelationshipFactory, SocialAccountFactory


@pytest.mark.django_db
def test_home_counts_accounts_per_platform_and_tier(
    logged_in_client, django_assert_max_num_queries
):
    # given accounts across tiers and platforms
    for followers in [500, 2_000, 9_999, 10_000, 49_999, 50_000, 600_000, 2_000_000]:
        SocialAccountFactory(platform="instagram", followers=followers)
    SocialAccountFactory(platform="tiktok", followers=15_000)
    SocialAccountFactory(platform="tiktok", followers=None)

    # when the dashboard is rendered
    with django_assert_max_num_queries(8):
        response = logged_in_client.get(reverse("home"))

    # then each platform row counts its tiers
    overview = response.context["overview"]
    assert overview["tiers"] == ["below nano", "nano", "micro", "mid", "macro", "mega", "unknown"]
    rows = {row["platform"]: row["counts"] for row in overview["rows"]}
    assert rows == {"instagram": [1, 2, 2, 1, 1, 1, 0], "tiktok": [0, 0, 1, 0, 0, 0, 1]}
    assert overview["tier_totals"] == [1, 2, 3, 1, 1, 1, 1]
    assert overview["accounts"] == 10
    assert overview["influencers"] == 10
    assert overview["influencers_exact"] is True


@pytest.mark.django_db
def test_home_counts_only_the_brands_the_user_works_on(logged_in_client, user):
    mine = BrandFactory()
    mine.members.add(user)
    RelationshipFactory(brand=mine)
    RelationshipFactory()  # another agency's client

    response = logged_in_client.get(reverse("home"))

    assert response.context["overview"]["brands"] == 1
    assert response.context["overview"]["relationships"] == 1


@pytest.mark.django_db
def test_home_explains_what_to_do_when_the_database_is_empty(logged_in_client):
    response = logged_in_client.get(reverse("home"))

    assert b"No accounts yet." in response.content
    assert b"seed_demo" in response.content
