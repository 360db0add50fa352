"""The ranked influencer list: filters, search, sort orders, keyset pages, counts, CSV
export, saved searches and access, on a small catalogue with a real published ranking."""

import csv
import io

import pytest
from django.urls import reverse

from campaigns.models import RelationshipStage
from influencers import discovery
from influencers.models import SavedSearch
from scoring.models import AccountScore
from tests.factories import BrandFactory, RelationshipFactory, UserFactory
from tests.influencers.discovery_data import CATALOGUE, HANDLES, build_catalogue, publish_ranking

LIST = reverse("influencer-list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


@pytest.fixture
def ranked(db):
    accounts = build_catalogue()
    ranking = publish_ranking()
    return accounts, ranking


def handles_of(response):
    return [row.account.handle for row in response.context["page"].rows]


def get_handles(client, **params):
    response = client.get(LIST, params, **HTMX)
    assert response.status_code == 200
    return handles_of(response)


def scores_by_handle(ranking):
    return {
        score.account.handle: score
        for score in AccountScore.objects.filter(ranking=ranking).select_related("account")
    }


@pytest.mark.django_db
def test_the_list_shows_every_account_in_rank_order(logged_in_client, ranked):
    response = logged_in_client.get(LIST)

    assert response.status_code == 200
    rows = response.context["page"].rows
    assert {row.account.handle for row in rows} == HANDLES
    assert [row.rank for row in rows] == list(range(1, len(HANDLES) + 1))
    assert response.context["page"].count.label == "12"
    assert b"Influencers" in response.content and b"anna_runs" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"platform": "tiktok"}, {"dan_dives", "finn_fit", "jon_jokes"}),
        ({"platform": "youtube"}, {"cara_codes", "kim_knits"}),
        ({"tier": "nano"}, {"anna_runs", "hal_hikes"}),
        (
            {"tier": "micro"},
            {"ben_bakes", "dan_dives", "eve_eats", "ida_ink", "kim_knits", "leo_lifts"},
        ),
        ({"tier": "mid"}, {"cara_codes", "jon_jokes"}),
        ({"tier": "macro"}, {"finn_fit"}),
        ({"tier": "mega"}, {"gia_games"}),
        (
            {"followers_min": "20000", "followers_max": "50000"},
            {"ben_bakes", "eve_eats", "kim_knits"},
        ),
        ({"followers_min": "1000000"}, {"gia_games"}),
        ({"followers_max": "9000"}, {"anna_runs", "hal_hikes"}),
        ({"engagement_min": "6"}, {"anna_runs", "dan_dives", "jon_jokes"}),
        ({"engagement_max": "1.5"}, {"eve_eats", "gia_games"}),
        ({"engagement_min": "3", "engagement_max": "5"}, {"ben_bakes", "finn_fit", "kim_knits"}),
        (
            {"country": "de"},
            {"anna_runs", "ben_bakes", "finn_fit", "ida_ink", "kim_knits", "leo_lifts"},
        ),
        ({"language": "EN"}, {"cara_codes", "gia_games", "jon_jokes"}),
        ({"category": "vegan"}, {"anna_runs", "eve_eats", "kim_knits"}),
        ({"category": "Fitness"}, {"anna_runs", "finn_fit", "leo_lifts"}),
        ({"price_min": "1000"}, {"cara_codes", "finn_fit", "gia_games"}),
        ({"price_max": "150"}, {"anna_runs", "hal_hikes", "ida_ink"}),
        (
            {"has_email": "true"},
            {
                "anna_runs",
                "cara_codes",
                "dan_dives",
                "eve_eats",
                "gia_games",
                "ida_ink",
                "kim_knits",
                "leo_lifts",
            },
        ),
        ({"fresh_days": "5"}, {"anna_runs", "dan_dives", "finn_fit", "gia_games", "leo_lifts"}),
        (
            {"platform": "instagram", "country": "DE", "category": "fitness"},
            {"anna_runs", "leo_lifts"},
        ),
        ({"platform": "podcast"}, set()),
    ],
)
def test_each_filter_gives_exactly_its_accounts(logged_in_client, ranked, params, expected):
    handles = get_handles(logged_in_client, **params)

    assert set(handles) == expected
    assert len(handles) == len(expected)


@pytest.mark.django_db
def test_the_engagement_tier_filter_reads_the_stored_tiers(logged_in_client, ranked):
    # (twelve accounts are too few peers for the engine to give tiers: set them)
    _, ranking = ranked
    tiers = {"anna_runs": "exceptional", "dan_dives": "exceptional", "ben_bakes": "high"}
    for handle, tier in tiers.items():
        AccountScore.objects.filter(ranking=ranking, account__handle=handle).update(
            engagement_tier=tier
        )

    exceptional = get_handles(logged_in_client, engagement_tier="exceptional")
    high = get_handles(logged_in_client, engagement_tier="high")
    low = get_handles(logged_in_client, engagement_tier="low")

    assert set(exceptional) == {"anna_runs", "dan_dives"}
    assert high == ["ben_bakes"]
    assert low == []


@pytest.mark.django_db
def test_hide_suspicious_drops_exactly_the_flagged_accounts(logged_in_client, ranked):
    _, ranking = ranked
    AccountScore.objects.filter(ranking=ranking, account__handle="jon_jokes").update(
        is_suspicious=True
    )

    handles = get_handles(logged_in_client, hide_suspicious="true")

    assert set(handles) == HANDLES - {"jon_jokes"}


@pytest.mark.django_db
def test_the_stage_filter_reads_the_chosen_brands_relationships(logged_in_client, user, ranked):
    accounts, _ = ranked
    brand = BrandFactory()
    brand.members.add(user)
    RelationshipFactory(brand=brand, influencer=accounts["ben_bakes"].influencer, stage="active")
    RelationshipFactory(brand=brand, influencer=accounts["ida_ink"].influencer, stage="engaged")
    other = BrandFactory()  # someone else's client: its relationships do not count
    RelationshipFactory(brand=other, influencer=accounts["anna_runs"].influencer, stage="active")
    publish_ranking(brand=brand)

    active = get_handles(logged_in_client, brand=brand.pk, stage=RelationshipStage.ACTIVE)
    engaged = get_handles(logged_in_client, brand=brand.pk, stage=RelationshipStage.ENGAGED)
    none = get_handles(logged_in_client, brand=brand.pk, stage=RelationshipStage.NONE)

    assert active == ["ben_bakes"]
    assert engaged == ["ida_ink"]
    assert set(none) == HANDLES - {"ben_bakes", "ida_ink"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vegan", {"anna_runs", "eve_eats", "kim_knits"}),
        ("VEG", {"anna_runs", "eve_eats", "kim_knits"}),
        ("anna", {"anna_runs"}),
        ("ben_bakes", {"ben_bakes"}),
        ("bakes", {"ben_bakes"}),
        ("Finn Fit", {"finn_fit"}),
        ("food vegan", {"eve_eats"}),
        ("from GB", {"cara_codes"}),
        ("nothing-like-this", set()),
        ("'; drop table x; --", set()),
    ],
)
def test_search_matches_name_handle_bio_and_categories(logged_in_client, ranked, query, expected):
    assert set(get_handles(logged_in_client, q=query)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "field", "descending"),
    [
        ("reach", "reach", True),
        ("resonance", "resonance", True),
        ("followers", "followers", True),
        ("engagement_rate", "engagement_rate", True),
        ("growth", "follower_growth", True),
        ("cost_per_engagement", "cost_per_engagement", False),
        ("price", "price", False),
    ],
)
def test_each_sort_orders_by_its_value_with_unknowns_last(
    logged_in_client, ranked, sort, field, descending
):
    _, ranking = ranked
    scores = scores_by_handle(ranking)

    handles = get_handles(logged_in_client, sort=sort)

    known = [h for h in scores if getattr(scores[h], field) is not None]
    unknown = [h for h in scores if getattr(scores[h], field) is None]
    expected = sorted(
        known,
        key=lambda h: (
            -getattr(scores[h], field) if descending else getattr(scores[h], field),
            scores[h].rank,
        ),
    ) + sorted(unknown, key=lambda h: scores[h].rank)
    assert handles == expected


@pytest.mark.django_db
def test_growth_is_measured_against_the_previous_snapshot(ranked):
    _, ranking = ranked
    scores = scores_by_handle(ranking)

    assert scores["jon_jokes"].follower_growth == pytest.approx(0.5)
    assert scores["gia_games"].follower_growth == pytest.approx(-0.04)
    assert scores["dan_dives"].follower_growth is None


@pytest.mark.django_db
def test_brand_sorts_fall_back_to_the_rank_without_a_brand(logged_in_client, ranked):
    assert get_handles(logged_in_client, sort="relevance") == get_handles(logged_in_client)


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["rank", "followers", "price", "growth", "engagement_rate"])
@pytest.mark.parametrize("params", [{}, {"platform": "instagram"}, {"category": "vegan"}])
def test_pages_have_no_duplicates_and_no_gaps(logged_in_client, ranked, sort, params):
    everything = get_handles(logged_in_client, sort=sort, **params)
    seen, after = [], None
    while True:
        query = {"sort": sort, "page_size": 2, **params}
        if after:
            query["after"] = after
        response = logged_in_client.get(LIST, query, **HTMX)
        page = response.context["page"]
        seen += [row.account.handle for row in page.rows]
        after = page.next_after
        if after is None:
            break

    assert seen == everything


@pytest.mark.django_db
def test_a_results_request_costs_three_queries_besides_the_session(
    logged_in_client, ranked, django_assert_max_num_queries
):
    # session + user, then ranking, count, rows
    for params in [{}, {"platform": "instagram"}, {"q": "vegan", "sort": "price"}, {"after": 5}]:
        with django_assert_max_num_queries(5):
            response = logged_in_client.get(LIST, params, **HTMX)
        assert response.status_code == 200


@pytest.mark.django_db
def test_a_repeated_results_request_costs_three_queries_in_all(
    logged_in_client, ranked, django_assert_max_num_queries
):
    logged_in_client.get(LIST, {}, **HTMX)  # the ranking lookup is cached after this one

    # the user, then the count and the rows (the session comes from the cache; a result
    # shorter than a page is counted from its rows)
    for params in [{}, {"platform": "instagram"}, {"q": "vegan", "sort": "price"}, {"after": 5}]:
        with django_assert_max_num_queries(3):
            response = logged_in_client.get(LIST, params, **HTMX)
        assert response.status_code == 200


@pytest.mark.django_db
def test_the_full_page_adds_only_its_menus(logged_in_client, ranked, django_assert_max_num_queries):
    # + profiles, brands and saved searches for the menus
    with django_assert_max_num_queries(8):
        logged_in_client.get(LIST, {"sort": "followers", "platform": "tiktok"})


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_results(logged_in_client, ranked):
    response = logged_in_client.get(LIST, {"platform": "tiktok"}, **HTMX)

    assert b"<html" not in response.content
    assert b'data-testid="ranked-table"' in response.content
    assert b"dan_dives" in response.content


@pytest.mark.django_db
def test_the_next_link_keeps_the_filters(logged_in_client, ranked):
    response = logged_in_client.get(LIST, {"platform": "instagram", "page_size": 2}, **HTMX)

    next_query = response.context["next_query"]
    assert "platform=instagram" in next_query
    assert f"after={response.context['page'].next_after}" in next_query
    assert "page=2" in next_query


def test_counts_are_exact_when_small_and_labelled_estimates_when_large():
    assert discovery.ResultCount(12, True).label == "12"
    assert discovery.ResultCount(123_456, False).label == "≈ 123,456"
    assert discovery.ResultCount(10_001, False).label == "≈ 10,001"


@pytest.mark.django_db
def test_a_filtered_count_is_exact_under_the_cap(logged_in_client, ranked):
    response = logged_in_client.get(LIST, {"platform": "instagram"}, **HTMX)

    count = response.context["page"].count
    assert (count.value, count.is_exact) == (6, True)
    assert b"6</span>" in response.content


@pytest.mark.django_db
def test_a_large_count_is_the_planners_estimate(ranked):
    _, ranking = ranked
    filterset = discovery.AccountScoreFilterSet({"platform": "instagram"})
    assert filterset.is_valid()
    queryset = discovery.filtered_scores(ranking=ranking, filterset=filterset)

    count = discovery.count_results(
        ranking=ranking, filterset=filterset, queryset=queryset, limit=3
    )

    assert count.is_exact is False
    assert count.value >= 1


@pytest.mark.django_db
def test_invalid_filters_are_explained_not_crashed(logged_in_client, ranked):
    response = logged_in_client.get(LIST, {"followers_min": "many", "sort": "nope"}, **HTMX)

    assert response.status_code == 200
    assert b"Some filters could not be used" in response.content


@pytest.mark.django_db
def test_without_a_ranking_the_list_says_so_and_offers_to_compute(client, staff_user):
    build_catalogue()
    client.force_login(staff_user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert b"No ranking is published" in response.content
    assert b"Compute scores now" in response.content


@pytest.mark.django_db
def test_non_staff_users_are_not_offered_to_compute(logged_in_client):
    response = logged_in_client.get(LIST)

    assert b"No ranking is published" in response.content
    assert b"Compute scores now" not in response.content


@pytest.mark.django_db(transaction=True)
def test_compute_scores_queues_a_rescoring_after_commit(client, staff_user, monkeypatch):
    from scoring import tasks

    queued = []
    monkeypatch.setattr(tasks.rescore_ranking, "delay", lambda *args: queued.append(args))
    client.force_login(staff_user)

    response = client.post(reverse("influencer-rescore"), {"profile": "", "brand": ""})

    assert response.status_code == 302
    assert queued == [(None, None)]


@pytest.mark.django_db
def test_compute_scores_is_refused_to_non_staff(logged_in_client, monkeypatch):
    from scoring import tasks

    queued = []
    monkeypatch.setattr(tasks.rescore_ranking, "delay", lambda *args: queued.append(args))

    response = logged_in_client.post(reverse("influencer-rescore"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert queued == []


@pytest.mark.django_db
def test_another_users_brand_is_a_404(logged_in_client, ranked):
    foreign = BrandFactory()
    publish_ranking(brand=foreign)

    response = logged_in_client.get(LIST, {"brand": foreign.pk}, **HTMX)

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_brand_ranking_is_read_for_a_member(logged_in_client, user, ranked):
    brand = BrandFactory(target_categories=["vegan"])
    brand.members.add(user)
    ranking = publish_ranking(brand=brand)

    response = logged_in_client.get(LIST, {"brand": brand.pk}, **HTMX)

    assert response.context["page"].ranking == ranking


# --- CSV export ---------------------------------------------------------------------------


def export(client, **params):
    response = client.get(reverse("influencer-export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_export_writes_the_current_results_in_order(logged_in_client, ranked):
    rows = export(logged_in_client, platform="instagram", sort="followers")

    assert rows[0][:4] == ["rank", "name", "handle", "platform"]
    handles = [row[2] for row in rows[1:]]
    expected = sorted(
        (h for h, values in CATALOGUE.items() if values[0] == "instagram"),
        key=lambda h: -CATALOGUE[h][1],
    )
    assert handles == expected


@pytest.mark.django_db
def test_export_neutralises_formulas(logged_in_client, ranked):
    accounts, _ = ranked
    person = accounts["anna_runs"].influencer
    person.name = '=HYPERLINK("http://evil")'
    person.save()
    accounts["ben_bakes"].influencer.__class__.objects.filter(
        pk=accounts["ben_bakes"].influencer_id
    ).update(name="+1 555", categories=["-minus", "@at"])
    accounts["ida_ink"].influencer.__class__.objects.filter(
        pk=accounts["ida_ink"].influencer_id
    ).update(name="\tTabbed", categories=["\rreturn"])
    publish_ranking()

    rows = export(logged_in_client)

    names = {row[2]: row[1] for row in rows[1:]}
    assert names["anna_runs"] == '\'=HYPERLINK("http://evil")'
    assert names["ben_bakes"] == "'+1 555"
    assert names["ida_ink"] == "'\tTabbed"
    categories = {row[2]: row[20] for row in rows[1:]}
    assert categories["ben_bakes"] == "'-minus;@at"
    assert categories["ida_ink"] == "'\rreturn"


@pytest.mark.django_db
def test_export_without_a_ranking_explains(logged_in_client):
    response = logged_in_client.get(reverse("influencer-export"))

    assert response.status_code == 302


# --- saved searches -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_saved_search_keeps_the_filters_without_the_position(logged_in_client, user, ranked):
    response = logged_in_client.post(
        reverse("saved-search-create"),
        {"name": "Vegan DE", "query": "category=vegan&country=DE&after=3&page=2&q="},
    )

    assert response.status_code == 302
    search = SavedSearch.objects.get(user=user)
    assert (search.name, search.query) == ("Vegan DE", "category=vegan&country=DE")
    page = logged_in_client.get(LIST)
    assert [s.name for s in page.context["saved_searches"]] == ["Vegan DE"]


@pytest.mark.django_db
def test_saved_search_names_are_unique_per_user(logged_in_client, user):
    SavedSearch.objects.create(user=user, name="Mine", query="platform=x")

    logged_in_client.post(reverse("saved-search-create"), {"name": "Mine", "query": "q=a"})

    assert list(SavedSearch.objects.values_list("query", flat=True)) == ["platform=x"]


@pytest.mark.django_db
def test_saved_searches_are_private(logged_in_client):
    other = UserFactory()
    theirs = SavedSearch.objects.create(user=other, name="Theirs", query="q=a")

    listed = logged_in_client.get(LIST).context["saved_searches"]
    deleted = logged_in_client.post(reverse("saved-search-delete", args=[theirs.pk]))

    assert listed == []
    assert deleted.status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


# --- access ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/influencers/",
        "/influencers/export.csv",
        "/influencers/1/",
        "/dashboard/activity/",
    ],
)
def test_anonymous_visitors_go_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/influencers/rescore/",
        "/influencers/searches/",
        "/influencers/searches/1/delete/",
        "/influencers/1/relationship/",
    ],
)
def test_anonymous_posts_change_nothing(client, url):
    response = client.post(url, {"name": "x", "stage": "active", "brand": 1})

    assert response.status_code == 302
    assert SavedSearch.objects.count() == 0


@pytest.mark.django_db
def test_invalid_filters_are_named_as_the_form_labels_them(logged_in_client, ranked):
    response = logged_in_client.get(LIST, {"followers_min": "-5", "price_max": "abc"}, **HTMX)

    errors = response.content.decode().split('data-testid="filter-errors"')[1].split("</ul>")[0]
    assert "<li>Followers from: Ensure this value is greater than or equal to 0.</li>" in errors
    assert "<li>Price up to: Enter a number.</li>" in errors
    assert "followers_min" not in errors.lower()
