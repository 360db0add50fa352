"""Brand access and the query budget of the ranked list: the results request of the page
(htmx, `HX-Target: results`) and the list endpoints cost at most three statements besides
Django's session and user reads, with or without a brand, and a brand the requester does
not work on is answered exactly like a brand that does not exist."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from influencers.models import SocialAccount
from scoring.models import Ranking
from tests.factories import BrandFactory, UserFactory
from tests.influencers.discovery_data import build_catalogue, publish_ranking

LIST = reverse("influencer-list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
MISSING_BRAND = 999_999
# A row filter, so that the results are counted by a statement of their own.
FILTERED = {"platform": "instagram"}


@pytest.fixture
def brands(db, user):
    """The catalogue ranked without a brand, for the user's brand and for another agency's
    brand (the user is not a member of the latter)."""
    build_catalogue()
    publish_ranking()
    own, other = BrandFactory(name="Own"), BrandFactory(name="Other agency's")
    own.members.add(user)
    publish_ranking(own)
    publish_ranking(other)
    return own, other


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(client, params):
    return client.get(LIST, params, **HTMX)


# --- the page's results request: exact statements, the user's read included ---------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "first", "repeated"),
    [
        # user, ranking, count, rows; then the ranking comes from the cache
        (FILTERED, 4, 3),
        # no row filter: the ranking knows the count
        ({}, 3, 2),
    ],
)
def test_a_results_request_without_a_brand(
    logged_in_client, brands, django_assert_num_queries, filters, first, repeated
):
    with django_assert_num_queries(first):
        assert results(logged_in_client, filters).status_code == 200
    with django_assert_num_queries(repeated):
        response = results(logged_in_client, filters)

    assert response.status_code == 200
    assert response.context["page"].ranking.brand_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "first", "repeated"),
    [
        # user, ranking, count with the access check, rows; then the ranking is cached
        (FILTERED, 4, 3),
        # user, ranking, the access check alone, rows
        ({}, 4, 3),
    ],
)
def test_a_results_request_for_a_members_brand(
    logged_in_client, brands, django_assert_num_queries, filters, first, repeated
):
    own, _ = brands

    with django_assert_num_queries(first):
        assert results(logged_in_client, {"brand": own.pk, **filters}).status_code == 200
    with django_assert_num_queries(repeated):
        response = results(logged_in_client, {"brand": own.pk, **filters})

    assert response.status_code == 200
    page = response.context["page"]
    assert page.ranking.brand_id == own.pk
    assert page.rows and page.count.value == len(page.rows)


@pytest.mark.django_db
def test_a_results_request_for_any_brand_by_staff(staff_client, brands, django_assert_num_queries):
    _, other = brands

    with django_assert_num_queries(4):
        assert results(staff_client, {"brand": other.pk, **FILTERED}).status_code == 200
    with django_assert_num_queries(3):
        response = results(staff_client, {"brand": other.pk, **FILTERED})

    assert response.status_code == 200
    assert response.context["page"].ranking.brand_id == other.pk
    assert response.context["page"].rows


@pytest.mark.django_db
def test_another_agencys_brand_is_answered_like_a_missing_one(
    logged_in_client, brands, django_assert_num_queries
):
    _, other = brands
    # The brand's ranking may be in the cache already (staff or a member read it).
    results(logged_in_client, {})

    # user, ranking, the access check (nothing is counted, no row is read)
    with django_assert_num_queries(3):
        hidden = results(logged_in_client, {"brand": other.pk, **FILTERED})
    # user, the access check: the cached ranking is not the user's to read
    with django_assert_num_queries(2):
        hidden_again = results(logged_in_client, {"brand": other.pk, **FILTERED})
    # user, ranking (none), the brand check
    with django_assert_num_queries(3):
        missing = results(logged_in_client, {"brand": MISSING_BRAND, **FILTERED})

    assert hidden.status_code == hidden_again.status_code == missing.status_code == 404
    assert hidden.content == hidden_again.content == missing.content
    assert b"anna_runs" not in hidden.content


# --- the list endpoints: token or session authentication, no user read here ---------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/api/v1/influencers/"])
def test_the_list_endpoints_without_a_brand(user, brands, django_assert_num_queries, path):
    api = api_client(user)

    with django_assert_num_queries(3):  # ranking, count, rows
        assert api.get(path, FILTERED).status_code == 200
    with django_assert_num_queries(2):  # count, rows
        response = api.get(path, FILTERED)

    assert response.status_code == 200
    assert response.json()["ranking"] == Ranking.objects.published().get(brand=None).pk


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/api/v1/influencers/"])
def test_the_list_endpoints_for_a_members_brand(user, brands, django_assert_num_queries, path):
    own, _ = brands
    api = api_client(user)

    with django_assert_num_queries(3):  # ranking, count with the access check, rows
        assert api.get(path, {"brand": own.pk}).status_code == 200
    with django_assert_num_queries(2):
        response = api.get(path, {"brand": own.pk, **FILTERED})

    assert response.status_code == 200
    body = response.json()
    assert {row["platform"] for row in body["results"]} == {"instagram"}
    assert body["ranking"] == Ranking.objects.published().get(brand=own).pk


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/api/v1/influencers/"])
def test_the_list_endpoints_for_any_brand_by_staff(
    staff_user, brands, django_assert_num_queries, path
):
    _, other = brands
    api = api_client(staff_user)

    with django_assert_num_queries(3):
        assert api.get(path, {"brand": other.pk, **FILTERED}).status_code == 200
    with django_assert_num_queries(2):
        assert api.get(path, {"brand": other.pk, **FILTERED}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/api/v1/influencers/"])
def test_the_list_endpoints_answer_another_agencys_brand_like_a_missing_one(
    user, brands, django_assert_num_queries, path
):
    _, other = brands
    api = api_client(user)

    with django_assert_num_queries(2):  # ranking, the access check
        hidden = api.get(path, {"brand": other.pk, **FILTERED})
    with django_assert_num_queries(1):  # the access check
        hidden_again = api.get(path, {"brand": other.pk})
    with django_assert_num_queries(2):  # ranking (none), the brand check
        missing = api.get(path, {"brand": MISSING_BRAND, **FILTERED})

    assert hidden.status_code == hidden_again.status_code == missing.status_code == 404
    assert hidden.json() == hidden_again.json() == missing.json()
    assert missing.json()["error"]["code"] == "not_found"


# --- access follows membership at once ----------------------------------------------------


@pytest.mark.django_db
def test_losing_and_regaining_membership_takes_effect_at_once(logged_in_client, user, brands):
    own, _ = brands
    api = api_client(user)
    assert results(logged_in_client, {"brand": own.pk}).status_code == 200
    assert api.get("/api/v1/accounts/", {"brand": own.pk}).status_code == 200

    own.members.remove(user)

    assert results(logged_in_client, {"brand": own.pk}).status_code == 404
    assert results(logged_in_client, {"brand": own.pk, **FILTERED}).status_code == 404
    assert api.get("/api/v1/accounts/", {"brand": own.pk}).status_code == 404
    assert api.get("/api/v1/influencers/", {"brand": own.pk}).status_code == 404

    own.members.add(user)

    assert results(logged_in_client, {"brand": own.pk}).status_code == 200
    assert api.get("/api/v1/accounts/", {"brand": own.pk}).status_code == 200


@pytest.mark.django_db
def test_losing_staff_status_takes_effect_at_once(staff_client, staff_user, brands):
    _, other = brands
    assert results(staff_client, {"brand": other.pk}).status_code == 200

    staff_user.is_staff = False
    staff_user.save(update_fields=["is_staff"])

    assert results(staff_client, {"brand": other.pk}).status_code == 404


@pytest.mark.django_db
def test_a_new_member_sees_the_brand_at_once(client, brands):
    _, other = brands
    newcomer = UserFactory()
    client.force_login(newcomer)
    assert results(client, {"brand": other.pk}).status_code == 404

    other.members.add(newcomer)

    response = results(client, {"brand": other.pk})
    assert response.status_code == 200
    assert response.context["page"].ranking.brand_id == other.pk


@pytest.mark.django_db
def test_a_deleted_brands_cached_ranking_is_not_served(logged_in_client, brands):
    own, _ = brands
    brand_id = own.pk
    assert results(logged_in_client, {"brand": brand_id}).status_code == 200

    own.delete()

    assert results(logged_in_client, {"brand": brand_id}).status_code == 404


@pytest.mark.django_db
def test_the_csv_export_of_another_agencys_brand_is_a_404(logged_in_client, brands):
    _, other = brands

    response = logged_in_client.get(reverse("influencer-export"), {"brand": other.pk})

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_detail_endpoints_check_the_brand(user, brands):
    own, other = brands
    api = api_client(user)
    account = SocialAccount.objects.get(handle="anna_runs")

    assert api.get(f"/api/v1/accounts/{account.pk}/", {"brand": own.pk}).status_code == 200
    hidden = api.get(f"/api/v1/accounts/{account.pk}/", {"brand": other.pk})
    missing = api.get(f"/api/v1/accounts/{account.pk}/", {"brand": MISSING_BRAND})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    person = f"/api/v1/influencers/{account.influencer_id}/"
    assert api.get(person, {"brand": other.pk}).status_code == 404
