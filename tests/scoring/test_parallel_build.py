"""A ranking's table built by several database sessions is the one a single session builds.

Other sessions cannot see a test's transaction, so these tests commit (transactional_db)
and clean up the ranking tables they made.
"""

import datetime as dt

import pytest
from django.db import connection

from influencers import demo_data
from scoring import services, storage
from scoring.models import Ranking, RankingStatus, ScoringProfile
from tests.scoring.frames import stored_scores

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def committed_profile(transactional_db):
    demo_data.seed(accounts=400, seed=5, as_of=dt.date(2026, 11, 1))
    services.scoring_profiles_install_presets()
    yield ScoringProfile.objects.default()
    for ranking_id in Ranking.objects.values_list("pk", flat=True):
        storage.drop_ranking_table(ranking_id)


def index_names(ranking):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
            [storage.partition_table(ranking.pk)],
        )
        prefix = len(storage.partition_table(ranking.pk))
        return [name[prefix:] for (name,) in cursor.fetchall()]


def test_two_sessions_build_exactly_what_one_builds(committed_profile, settings):
    settings.FOURSCORE_SCORING_SESSIONS = 1
    alone = services.ranking_build(profile=committed_profile, today=TODAY)
    settings.FOURSCORE_SCORING_SESSIONS = 2

    shared = services.ranking_build(profile=committed_profile, today=TODAY)

    assert shared.status == RankingStatus.PUBLISHED
    assert shared.accounts_ranked == alone.accounts_ranked == 400
    assert stored_scores(shared).equals(stored_scores(alone))
    assert index_names(shared) == index_names(alone)
    assert "_pkey" in index_names(shared)
    assert sorted(stored_scores(shared)["rank"]) == list(range(1, 401))


def test_a_failed_build_leaves_no_table_behind(committed_profile, settings, monkeypatch):
    settings.FOURSCORE_SCORING_SESSIONS = 2
    statements = storage.discovery_index_statements

    def broken(table, *, has_brand=True):
        return [*statements(table, has_brand=has_brand), "CREATE INDEX broken ON nowhere (x)"]

    monkeypatch.setattr(storage, "discovery_index_statements", broken)

    with pytest.raises(Exception, match="nowhere"):
        services.ranking_build(profile=committed_profile, today=TODAY)

    failed = Ranking.objects.get()
    assert failed.status == RankingStatus.FAILED
    assert failed.pk not in storage.partition_ranking_ids()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE %s OR relname LIKE %s",
            [f"%_r{failed.pk}", f"scoring_%_{failed.pk}"],
        )
        assert cursor.fetchone()[0] == 0
