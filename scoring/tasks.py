"""Rescoring on the workers: a ranking is split into chunks that run anywhere, in any
order, any number of times; the chunk that completes the set publishes the ranking."""

from celery import shared_task
from django.db import transaction

from campaigns.models import Brand

from . import services
from .models import Ranking, RankingKind, ScoringProfile

TIME_LIMIT = 30 * 60
SOFT_TIME_LIMIT = 28 * 60


@shared_task(time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def rescore_ranking(profile_id=None, brand_id=None, kind=RankingKind.FULL):
    """Plan a ranking and fan its chunks out to the workers."""
    if profile_id:
        profile = ScoringProfile.objects.get(pk=profile_id)
    else:  # the default profile, which exists once the presets are installed
        services.scoring_profiles_install_presets()
        profile = ScoringProfile.objects.default()
    brand = Brand.objects.get(pk=brand_id) if brand_id else None
    ranking, ranges = services.ranking_start(profile=profile, brand=brand, kind=kind)
    for index, (low, high) in enumerate(ranges):
        score_chunk.delay(ranking.pk, index, low, high)
    return ranking.pk


@shared_task(acks_late=True, time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def score_chunk(ranking_id, index, low, high):
    """Score one chunk; idempotent (its staged rows are replaced, its index recorded once)."""
    ranking = Ranking.objects.select_related("profile", "brand").get(pk=ranking_id)
    try:
        complete = services.ranking_score_chunk(ranking=ranking, index=index, low=low, high=high)
    except Exception as error:
        services.ranking_fail(ranking=ranking, reason=f"chunk {index}: {error}")
        raise
    if complete:
        transaction.on_commit(lambda: publish_ranking.delay(ranking_id))
    return complete


@shared_task(acks_late=True, time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def publish_ranking(ranking_id):
    ranking = Ranking.objects.select_related("profile", "brand").get(pk=ranking_id)
    try:
        return services.ranking_publish(ranking=ranking).status
    except Exception as error:
        services.ranking_fail(ranking=ranking, reason=f"publish: {error}")
        raise


@shared_task(time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def rescore_changed():
    """After imports: rescore only the accounts whose metrics changed, in every ranking."""
    return [ranking.pk for ranking in services.rescore_changed_accounts()]


@shared_task(time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def rescore_nightly():
    """Full rescorings (benchmarks recomputed) of every ranking in use, fanned out."""
    targets = services.rescore_targets()
    for profile_id, brand_id in targets:
        rescore_ranking.delay(profile_id, brand_id, RankingKind.FULL)
    return len(targets)
