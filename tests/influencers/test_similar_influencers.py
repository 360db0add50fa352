"""Similar influencers on the influencer page: same platform and follower tier, nearest by
TF-IDF over categories and bio words, each suggestion explained in words."""

import math

import pytest
from django.urls import reverse

from influencers import discovery
from scoring.models import AccountScore
from tests.factories import InfluencerFactory, SocialAccountFactory
from tests.influencers.discovery_data import publish_ranking

# handle: (person, platform, followers, categories, bio). Every bio says "creator": a word
# every account has tells nothing, so it is never a reason.
PEOPLE = {
    "Hana": (
        ["fitness", "travel"],
        "Hiking and trail running in the Alps. #hiking #travel creator",
    ),
    "Tom": (["fitness", "travel"], "Hiking the Alps every weekend. Creator."),
    "Fay": (["fitness"], "Gym workouts and protein recipes. Creator."),
    "Walt": (["photography"], "Hiking photographer: mountains and lakes. Creator."),
    "Gus": (["gaming"], "Streams every night. Creator."),
    "Tia": (["fitness", "travel"], "Hiking the Alps. Creator."),
    "Mo": (["fitness", "travel"], "Hiking the Alps. Creator."),
}
ACCOUNTS = {
    "hana_hikes": ("Hana", "instagram", 30_000),
    "hana_travels": ("Hana", "instagram", 25_000),  # the same person: never suggested
    "tom_trails": ("Tom", "instagram", 28_000),
    "fay_fit": ("Fay", "instagram", 35_000),
    "walt_wanders": ("Walt", "instagram", 22_000),
    "gus_games": ("Gus", "instagram", 40_000),
    "tia_tok": ("Tia", "tiktok", 30_000),  # another platform
    "mo_mega": ("Mo", "instagram", 600_000),  # another tier (macro)
}


@pytest.fixture
def people(db):
    persons = {
        name: InfluencerFactory(name=name, categories=categories, bio=bio)
        for name, (categories, bio) in PEOPLE.items()
    }
    for handle, (name, platform, followers) in ACCOUNTS.items():
        SocialAccountFactory(
            influencer=persons[name], platform=platform, handle=handle, followers=followers
        )
    ranking = publish_ranking()
    return persons, ranking


def similar_of(client, person):
    response = client.get(reverse("influencer-detail", args=[person.pk]))
    assert response.status_code == 200
    return response, response.context["similar"]


@pytest.mark.django_db
def test_suggestions_come_nearest_first_with_their_reasons(logged_in_client, people):
    persons, _ = people

    response, similar = similar_of(logged_in_client, persons["Hana"])

    assert [(item.handle, item.reason) for item in similar] == [
        ("tom_trails", "shares travel, fitness; bio mentions alps, hiking"),
        ("walt_wanders", "bio mentions hiking"),
        ("fay_fit", "shares fitness"),
    ]
    content = response.content.decode()
    assert "Shares travel, fitness; bio mentions alps, hiking" in content
    assert "Bio mentions hiking" in content


@pytest.mark.django_db
def test_the_person_other_platforms_tiers_and_nothing_telling_are_left_out(
    logged_in_client, people
):
    persons, _ = people

    _, similar = similar_of(logged_in_client, persons["Hana"])

    handles = {item.handle for item in similar}
    # Hana's other account, Tia (TikTok) and Mo (macro) would match best; Gus shares only
    # "creator", which every account says.
    assert handles.isdisjoint({"hana_hikes", "hana_travels", "tia_tok", "mo_mega", "gus_games"})
    assert all(item.influencer_id != persons["Hana"].pk for item in similar)


@pytest.mark.django_db
def test_the_similarity_is_the_tf_idf_cosine(logged_in_client, people):
    persons, _ = people
    # Shares of the 8 accounts (categories; words of name, handle, bio and categories).
    accounts = 8

    def idf(having):
        return math.log((accounts + 1) / (having + 1))

    fitness, travel = idf(6), idf(5)  # categories
    hiking, alps, trail, running, travel_word = idf(6), idf(5), idf(2), idf(2), idf(5)
    weekend = idf(1)
    hana = {
        "c:fitness": fitness,
        "c:travel": travel,
        "hiking": (1 + math.log(2)) * hiking,
        "trail": trail,
        "running": running,
        "alps": alps,
        "travel": travel_word,
    }
    tom = {"c:fitness": fitness, "c:travel": travel, "hiking": hiking, "alps": alps}
    tom["weekend"] = weekend

    def norm(vector):
        return math.sqrt(sum(value * value for value in vector.values()))

    expected = sum(hana[term] * tom[term] for term in hana.keys() & tom.keys()) / (
        norm(hana) * norm(tom)
    )

    _, similar = similar_of(logged_in_client, persons["Hana"])

    assert similar[0].handle == "tom_trails"
    assert similar[0].similarity == pytest.approx(expected, rel=1e-5)


@pytest.mark.django_db
def test_a_keyword_alone_brings_a_candidate(logged_in_client, people):
    persons, _ = people

    _, similar = similar_of(logged_in_client, persons["Walt"])

    # Walt shares no category with anyone; "hiking" finds Hana (either account) and Tom.
    assert {item.handle for item in similar} >= {"tom_trails"}
    assert {item.reason for item in similar} == {"bio mentions hiking"}
    assert len([item for item in similar if item.name == "Hana"]) == 1


@pytest.mark.django_db
def test_the_candidates_are_the_peers_ranked_nearest(logged_in_client, people, monkeypatch):
    persons, ranking = people
    # Instagram micro in rank order: Gus, Fay, Hana (hana_hikes), Tom, Hana (hana_travels),
    # Walt. One peer read on each side of Hana's best account: Fay above, Tom below.
    peers = (
        AccountScore.objects.filter(ranking=ranking, platform="instagram", follower_tier="micro")
        .order_by("rank")
        .values_list("account__handle", flat=True)
    )
    assert list(peers) == [
        "gus_games",
        "fay_fit",
        "hana_hikes",
        "tom_trails",
        "hana_travels",
        "walt_wanders",
    ]
    monkeypatch.setattr(discovery, "SIMILAR_NEIGHBOURHOOD", 1)

    _, similar = similar_of(logged_in_client, persons["Hana"])

    assert [item.handle for item in similar] == ["tom_trails", "fay_fit"]


@pytest.mark.django_db
def test_no_suggestion_without_categories_or_bio(logged_in_client, people):
    quiet = InfluencerFactory(name="Quiet", categories=[], bio="")
    SocialAccountFactory(influencer=quiet, platform="instagram", handle="quiet", followers=30_000)
    publish_ranking()

    response, similar = similar_of(logged_in_client, quiet)

    assert similar == []
    assert "No similar accounts found" in response.content.decode()


def test_bio_words_are_lower_cased_without_stop_words_and_hashtag_signs():
    assert discovery.bio_words("Hiking in the Alps! #hiking #Über-cool, 5 km a day") == {
        "hiking": 2,
        "alps": 1,
        "über": 1,
        "cool": 1,
        "km": 1,
        "day": 1,
    }


def test_without_statistics_every_term_weighs_the_same():
    statistics = discovery.TermStatistics(accounts=1_000, shares={}, floors={})

    weights = discovery.term_weights(
        categories=["fitness"], bio="hiking hiking alps", statistics=statistics
    )

    assert weights == {
        ("category", "fitness"): 1.0,
        ("word", "hiking"): pytest.approx(1 + math.log(2)),
        ("word", "alps"): 1.0,
    }


def test_a_term_missing_from_the_statistics_counts_as_rarer_than_the_rarest_listed():
    statistics = discovery.TermStatistics(
        accounts=1_000,
        shares={("word", "creator"): 1.0, ("word", "alps"): 0.01},
        floors={"word": 0.01},
    )

    assert statistics.idf("word", "creator") == 0
    assert statistics.idf("word", "alps") == pytest.approx(math.log(1_001 / 11))
    assert statistics.idf("word", "zugspitze") == pytest.approx(math.log(1_001 / 6))
