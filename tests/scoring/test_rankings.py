"""Rankings: built set-based, published in one step, reproducible, incremental."""

import datetime as dt

import pytest
from django.db import connection

from influencers import demo_data
from influencers.models import SocialAccount
from scoring import services, storage
from scoring.models import AccountScore, Ranking, RankingKind, RankingStatus, ScoringProfile
from tests.scoring.frames import stored_scores

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def seeded(db):
    demo_data.seed(accounts=600, seed=11, as_of=dt.date(2026, 11, 1))
    services.scoring_profiles_install_presets()
    return ScoringProfile.objects.default()


@pytest.mark.django_db
def test_the_presets_are_installed_once_with_default_as_the_default():
    services.scoring_profiles_install_presets()
    services.scoring_profiles_install_presets()

    names = list(ScoringProfile.objects.order_by("name").values_list("name", "version"))
    assert names == [
        ("awareness", 1),
        ("conversions", 1),
        ("default", 1),
        ("engagement", 1),
        ("micro-5k-20k", 1),
    ]
    assert ScoringProfile.objects.default().name == "default"


@pytest.mark.django_db
def test_editing_a_profile_creates_a_new_version_and_keeps_the_old_one():
    services.scoring_profiles_install_presets()
    first = ScoringProfile.objects.named("default")
    parameters = dict(first.parameters)
    parameters["weights"] = {**parameters["weights"], "reach": 0.5}

    second = services.scoring_profile_save(name="default", parameters=parameters)
    unchanged = services.scoring_profile_save(name="default", parameters=parameters)

    assert (second.version, unchanged.pk) == (2, second.pk)
    assert ScoringProfile.objects.named("default") == second
    first.refresh_from_db()
    assert first.parameters["weights"]["reach"] != 0.5


def test_the_score_model_matches_the_partitioned_table(db):
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, storage.PARENT_TABLE
            )
        ]
    model_columns = [field.column for field in AccountScore._meta.concrete_fields]

    assert sorted(columns) == sorted(model_columns)


def test_a_full_build_ranks_every_account_by_total(seeded):
    ranking = services.ranking_build(profile=seeded, today=TODAY)

    assert (ranking.status, ranking.accounts_ranked) == (RankingStatus.PUBLISHED, 600)
    scores = services.scores_frame(ranking)
    assert scores["rank"].tolist() == list(range(1, 601))
    totals = scores["total"].tolist()
    known = [value for value in totals if value == value]
    assert known == sorted(known, reverse=True)
    assert AccountScore.objects.filter(ranking=ranking).count() == 600
    assert ranking.benchmarks.filter(platform="instagram", follower_tier="nano").get().n > 0


def test_scores_name_the_profile_version_and_the_snapshot_used(seeded):
    ranking = services.ranking_build(profile=seeded, today=TODAY)
    score = AccountScore.objects.filter(ranking=ranking).order_by("rank").first()

    account = score.account
    assert (score.metrics_as_of, score.metrics_source) == (
        account.metrics_as_of,
        account.metrics_source,
    )
    assert account.snapshots.filter(as_of=score.metrics_as_of, source=score.metrics_source)
    assert ranking.profile.version == 1


def test_building_in_chunks_gives_exactly_the_same_scores(seeded, monkeypatch):
    whole = stored_scores(services.ranking_build(profile=seeded, today=TODAY))
    monkeypatch.setattr(services, "CHUNK_SIZE", 97)
    original_start = services.ranking_start
    monkeypatch.setattr(
        services,
        "ranking_start",
        lambda **kwargs: original_start(**kwargs, chunk_size=97),
    )

    chunked_ranking = services.ranking_build(profile=seeded, today=TODAY)

    assert chunked_ranking.chunks_total == 7
    assert stored_scores(chunked_ranking).equals(whole)


def test_the_same_inputs_and_profile_version_give_the_same_scores(seeded):
    first = stored_scores(services.ranking_build(profile=seeded, today=TODAY))

    second = stored_scores(services.ranking_build(profile=seeded, today=TODAY))

    assert second.equals(first)


def test_a_chunk_run_twice_changes_nothing(seeded):
    ranking, ranges = services.ranking_start(profile=seeded, today=TODAY, chunk_size=250)
    benchmarks = services.ranking_benchmarks(ranking)
    for index, (low, high) in enumerate(ranges):
        services.ranking_score_chunk(
            ranking=ranking, index=index, low=low, high=high, benchmarks=benchmarks
        )

    completed_again = services.ranking_score_chunk(
        ranking=ranking, index=0, low=ranges[0][0], high=ranges[0][1], benchmarks=benchmarks
    )

    ranking.refresh_from_db()
    assert completed_again is False
    assert (ranking.chunks_done, ranking.accounts_scored) == ([0, 1, 2], 600)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {storage.staging_table(ranking.pk)}")
        assert cursor.fetchone()[0] == 600


def test_readers_see_the_old_ranking_until_the_new_one_is_published(seeded):
    old = services.ranking_build(profile=seeded, today=TODAY)
    building, ranges = services.ranking_start(profile=seeded, today=TODAY)
    services.ranking_score_chunk(ranking=building, index=0, low=ranges[0][0], high=ranges[0][1])

    assert Ranking.objects.published_for(seeded) == old
    assert AccountScore.objects.filter(ranking=old).count() == 600

    services.ranking_publish(ranking=building)

    old.refresh_from_db()
    assert Ranking.objects.published_for(seeded) == building
    assert old.status == RankingStatus.SUPERSEDED
    # readers still holding the old ranking keep their rows until the next publish
    assert AccountScore.objects.filter(ranking=old).count() == 600

    newest = services.ranking_build(profile=seeded, today=TODAY)

    assert sorted(storage.partition_ranking_ids()) == [building.pk, newest.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [storage.partition_table(old.pk)])
        assert cursor.fetchone()[0] is None


def test_changed_accounts_are_rescored_alone_and_their_marks_cleared(seeded):
    full = services.ranking_build(profile=seeded, today=TODAY)
    SocialAccount.objects.update(needs_rescore=False)
    before = stored_scores(full)
    changed = SocialAccount.objects.order_by("id").first()
    SocialAccount.objects.filter(pk=changed.pk).update(
        followers=changed.followers * 3, needs_rescore=True
    )

    (update,) = services.rescore_changed_accounts(today=TODAY)

    assert (update.kind, update.base_id, update.accounts_scored) == (
        RankingKind.CHANGED,
        full.pk,
        1,
    )
    after = stored_scores(update)
    assert after.loc[changed.pk, "followers"] == changed.followers * 3
    assert after.loc[changed.pk, "reach"] > before.loc[changed.pk, "reach"]
    unchanged = [name for name in before.columns if name != "rank"]
    others = before.index.drop(changed.pk)
    assert after.loc[others, unchanged].equals(before.loc[others, unchanged])
    assert sorted(after["rank"]) == list(range(1, 601))
    assert not SocialAccount.objects.filter(needs_rescore=True).exists()


def test_brand_rankings_score_relevance_and_relationship(seeded):
    from campaigns.models import Brand

    brand = Brand.objects.get(name="Northwind Outdoor")

    ranking = services.ranking_build(profile=seeded, brand=brand, today=TODAY)

    scores = services.scores_frame(ranking)
    assert scores["relevance"].notna().all()
    related_accounts = SocialAccount.objects.filter(influencer__relationships__brand=brand)
    assert scores["relationship"].notna().sum() == related_accounts.count() > 0
    assert set(scores.loc[scores["relationship"].notna(), "account_id"]) == set(
        related_accounts.values_list("id", flat=True)
    )


def test_command_builds_the_default_ranking(seeded, capsys):
    from django.core.management import call_command

    call_command("score", verbosity=0)

    ranking = Ranking.objects.published().get()
    assert ranking.accounts_ranked == 600
    assert f"Ranking #{ranking.pk} (default v1): 600 accounts ranked." in capsys.readouterr().out


def test_the_account_admin_page_shows_the_score_and_its_explanation(seeded, client):
    from tests.factories import UserFactory

    ranking = services.ranking_build(profile=seeded, today=TODAY)
    score = AccountScore.objects.filter(ranking=ranking).order_by("rank").first()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(f"/admin/influencers/socialaccount/{score.account_id}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Rank 1 · total {score.total:.0f}/100" in content
    assert "Engagement rate" in content
    assert "Reach" in content


def test_explanations_are_the_engines_words_for_the_stored_numbers(seeded):
    ranking = services.ranking_build(profile=seeded, today=TODAY)
    top = AccountScore.objects.filter(ranking=ranking).order_by("rank")[:3]

    explanations = services.explain_scores(ranking, [score.account_id for score in top])

    for score in top:
        text = explanations[score.account_id]
        assert f"Total {score.total:.0f}/100" in text
        assert "inputs changed" not in text


def test_an_explanation_says_when_the_inputs_changed_since_the_ranking(seeded):
    ranking = services.ranking_build(profile=seeded, today=TODAY)
    score = AccountScore.objects.filter(ranking=ranking).order_by("rank").first()
    SocialAccount.objects.filter(pk=score.account_id).update(followers=score.followers * 10)

    text = services.explain_scores(ranking, [score.account_id])[score.account_id]

    assert "inputs changed after the ranking was computed" in text
