"""Writes of the scoring app: profiles and their versions, and rankings (rescoring).

A ranking is built in chunks (idempotent: a chunk run twice replaces its own staged rows)
and published in one step. `ranking_build` runs every step in this process (the `score`
command); the Celery tasks in scoring/tasks.py run the same steps on workers.
"""

import math
from contextlib import contextmanager

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Func, Value
from django.utils import timezone

from campaigns.models import Brand
from influencers.models import SocialAccount
from scoring import currency, engine, storage
from scoring.models import (
    AccountScore,
    Ranking,
    RankingKind,
    RankingStatus,
    ScoringProfile,
    TierBenchmark,
)

CHUNK_SIZE = 200_000
PUBLISHED_VERSION_KEY = "scoring:published-rankings-version"
# First key of the advisory locks taken while a ranking is published (the second: its id).
PUBLISH_LOCK_SPACE = 4_404


class ScoringError(Exception):
    """A rescoring that cannot be done (no profile, nothing published to update…)."""


# --- profiles -----------------------------------------------------------------------------


def scoring_profile_save(*, name, parameters, description="", user=None, is_default=False):
    """Store `parameters` as the next version of profile `name` (the first is version 1).

    Earlier versions stay as they were: scores computed with them can be reproduced.
    """
    profile = engine.profile_from_dict({**parameters, "name": name})
    with transaction.atomic():
        latest = (
            ScoringProfile.objects.select_for_update()
            .filter(name=name)
            .order_by("-version")
            .first()
        )
        if latest and latest.parameters == profile.to_dict() and not is_default:
            return latest
        if is_default:
            ScoringProfile.objects.filter(is_default=True).update(is_default=False)
        version = ScoringProfile(
            name=name,
            version=(latest.version + 1) if latest else 1,
            description=description or profile.description,
            parameters=profile.to_dict(),
            engine_version=engine.ENGINE_VERSION,
            is_default=is_default,
            created_by=user,
        )
        version.full_clean()
        version.save()
    return version


def scoring_profiles_install_presets():
    """Make sure every built-in preset exists (as its first version); "default" is default."""
    for name, preset in engine.PRESETS.items():
        if not ScoringProfile.objects.filter(name=name).exists():
            scoring_profile_save(
                name=name,
                parameters=preset.to_dict(),
                description=preset.description,
                is_default=name == engine.DEFAULT_PROFILE.name,
            )


def engine_profile(profile):
    return engine.profile_from_dict(profile.parameters)


def target_of(brand):
    if brand is None:
        return None
    return engine.Target(
        categories=brand.target_categories,
        keywords=brand.target_keywords,
        countries=brand.target_countries,
        languages=brand.target_languages,
        platforms=brand.target_platforms,
    )


# --- rankings -----------------------------------------------------------------------------


def ranking_start(
    *, profile, brand=None, kind=RankingKind.FULL, today=None, chunk_size=None, numbers=None
):
    """Create a ranking, its benchmarks and its chunk plan; nothing is visible yet."""
    today = today or timezone.localdate()
    base = Ranking.objects.published_for(profile, brand)
    if kind == RankingKind.CHANGED and base is None:
        raise ScoringError(f"{profile} has no published ranking to update: run a full one")
    # A "changed" build keeps its base's rates: its benchmarks (peer medians) used them.
    rates = base.currency_rates if kind == RankingKind.CHANGED else currency.current_rates()
    ranking = Ranking.objects.create(
        profile=profile, brand=brand, kind=kind, base=base, scored_on=today, currency_rates=rates
    )
    if kind == RankingKind.FULL:
        numbers = storage.read_numbers() if numbers is None else numbers
        benchmarks = engine.compute_benchmarks(
            numbers, engine_profile(profile), currency_rates=rates
        )
        TierBenchmark.objects.bulk_create(
            TierBenchmark(ranking=ranking, **record)
            for record in engine.benchmarks_to_records(benchmarks)
        )
        ranges = storage.id_ranges(chunk_size or CHUNK_SIZE)
    else:
        ranges = [(None, None)]  # the changed accounts are few: one chunk
    storage.create_staging(ranking.pk)
    ranking.chunks_total = len(ranges)
    ranking.save(update_fields=["chunks_total"])
    return ranking, ranges


def ranking_benchmarks(ranking):
    """The benchmark frame of a ranking (a "changed" build uses its base's)."""
    source = ranking
    while source is not None and source.kind != RankingKind.FULL:
        source = source.base
    records = list(
        TierBenchmark.objects.filter(ranking=source).values(
            "platform", "follower_tier", "n", "percentiles", "n_priced", "median_cpe"
        )
    )
    return engine.benchmarks_from_records(records)


def ranking_score_chunk(
    *, ranking, index, low, high, benchmarks=None, relationships=None, preloaded=None
):
    """Score the accounts of one chunk into the ranking's staging table.

    Returns True when this call completed the last missing chunk (time to publish).
    """
    ranking.refresh_from_db(fields=["chunks_done", "status"])
    if ranking.status != RankingStatus.BUILDING or index in ranking.chunks_done:
        return False
    only_dirty = ranking.kind == RankingKind.CHANGED
    if preloaded is not None:
        ids = preloaded["account_id"]
        accounts = preloaded[(ids >= low) & (ids < high)] if low is not None else preloaded
    else:
        accounts = storage.read_accounts(
            low=low, high=high, only_dirty=only_dirty, with_text=ranking.brand_id is not None
        )
    if benchmarks is None:
        benchmarks = ranking_benchmarks(ranking)
    if relationships is None and ranking.brand_id:
        relationships = storage.read_relationships(ranking.brand_id)
    scores = None
    if not accounts.empty:
        scores = engine.score_accounts(
            accounts,
            engine_profile(ranking.profile),
            today=ranking.scored_on,
            benchmarks=benchmarks,
            target=target_of(ranking.brand),
            relationships=relationships,
            currency_rates=ranking.currency_rates,
            # Explanations are written when a score is shown (explain_scores): the same
            # engine over the same inputs gives the same words, at a tenth of the cost.
            explain=False,
        )
    with transaction.atomic():
        # The lock makes "not done yet → stage rows → mark done" one step per chunk.
        locked = Ranking.objects.select_for_update().get(pk=ranking.pk)
        if index in locked.chunks_done or locked.status != RankingStatus.BUILDING:
            return False
        if scores is not None:
            storage.write_chunk(ranking.pk, accounts, scores)
        return _mark_chunk_done(ranking, index, len(accounts))


def _mark_chunk_done(ranking, index, scored):
    Ranking.objects.filter(pk=ranking.pk).update(
        chunks_done=Func(F("chunks_done"), Value(index), function="array_append"),
        accounts_scored=F("accounts_scored") + scored,
    )
    ranking.refresh_from_db(fields=["chunks_done", "accounts_scored"])
    return len(set(ranking.chunks_done)) == ranking.chunks_total


def ranking_publish(*, ranking):
    """Build the ranking's table from the staged chunks and make it the published one."""
    ranking.refresh_from_db()
    if ranking.status != RankingStatus.BUILDING:
        return ranking
    base_id = ranking.base_id if ranking.kind == RankingKind.CHANGED else None
    # Built outside the publishing transaction (by several sessions when allowed): the
    # table is nobody's partition until the attach below, so no reader sees it half-built.
    # A publish delivered twice (acks_late) finds the lock taken and leaves it to the first.
    with _publish_lock(ranking) as acquired:
        if not acquired:
            return ranking
        ranked = storage.build_partition(
            ranking.pk,
            base_ranking_id=base_id,
            has_brand=ranking.brand_id is not None,
            workers=settings.FOURSCORE_SCORING_SESSIONS,
            currency=(engine_profile(ranking.profile).reference_currency, ranking.currency_rates),
        )
        return _publish_built(ranking, ranked)


@contextmanager
def _publish_lock(ranking):
    """A session-level advisory lock per ranking: one publisher at a time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PUBLISH_LOCK_SPACE, ranking.pk])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [PUBLISH_LOCK_SPACE, ranking.pk]
                )


def _publish_built(ranking, ranked):
    """Attach the built table and flip the statuses, in one transaction."""
    with transaction.atomic():
        storage.attach_partition(ranking.pk)
        superseded = (
            Ranking.objects.select_for_update()
            .filter(profile=ranking.profile, brand=ranking.brand, status=RankingStatus.PUBLISHED)
            .first()
        )
        if superseded is not None:
            superseded.status = RankingStatus.SUPERSEDED
            superseded.save(update_fields=["status"])
        ranking.status = RankingStatus.PUBLISHED
        ranking.accounts_ranked = ranked
        ranking.published_at = timezone.now()
        ranking.save(update_fields=["status", "accounts_ranked", "published_at"])
    # Readers may still hold the ranking just superseded (a cached lookup, a page being
    # paged through): its table stays until the next publish; older ones go now.
    keep = {ranking.pk} | ({superseded.pk} if superseded else set())
    older = Ranking.objects.filter(
        pk__in=storage.partition_ranking_ids(), status=RankingStatus.SUPERSEDED
    ).exclude(pk__in=keep)
    for ranking_id in older.values_list("pk", flat=True):
        storage.drop_ranking_table(ranking_id)
    transaction.on_commit(lambda: cache.set(PUBLISHED_VERSION_KEY, ranking.pk, None))
    return ranking


def published_rankings_version():
    """Changes whenever a ranking is published: part of the key of cached lookups."""
    return cache.get(PUBLISHED_VERSION_KEY, 0)


def ranking_fail(*, ranking, reason):
    Ranking.objects.filter(pk=ranking.pk).update(
        status=RankingStatus.FAILED, failure_reason=reason[:2000]
    )
    storage.drop_ranking_table(ranking.pk)


def ranking_build(*, profile, brand=None, kind=RankingKind.FULL, today=None, on_progress=None):
    """Build and publish a ranking in this process (the `score` command).

    `on_progress(ranking, stage)` is called after each chunk ("scoring") and once before the
    ranking's table is built ("publishing", the longest single step).
    """
    # Without a brand the engine needs the numbers alone: read them once, for the
    # benchmarks and every chunk (the Celery chunks each read their own range instead).
    numbers = storage.read_numbers() if brand is None and kind == RankingKind.FULL else None
    ranking, ranges = ranking_start(
        profile=profile, brand=brand, kind=kind, today=today, numbers=numbers
    )
    benchmarks = ranking_benchmarks(ranking)
    relationships = storage.read_relationships(brand.pk) if brand else None
    try:
        for index, (low, high) in enumerate(ranges):
            ranking_score_chunk(
                ranking=ranking,
                index=index,
                low=low,
                high=high,
                benchmarks=benchmarks,
                relationships=relationships,
                preloaded=numbers,
            )
            if on_progress:
                on_progress(ranking, "scoring")
        if on_progress:
            on_progress(ranking, "publishing")
        return ranking_publish(ranking=ranking)
    except Exception as error:
        ranking_fail(ranking=ranking, reason=f"{type(error).__name__}: {error}")
        raise


def rescore_changed_accounts(*, today=None):
    """Rescore the accounts marked by imports in every published ranking; clear the marks.

    An account marked again while this runs keeps its mark (its metrics changed after the
    ones that were scored), so the next run picks it up.
    """
    started = timezone.now()
    dirty = list(SocialAccount.objects.needing_rescore().values_list("id", flat=True))
    if not dirty:
        return []
    built = []
    for published in Ranking.objects.published().select_related("profile", "brand"):
        built.append(
            ranking_build(
                profile=published.profile,
                brand=published.brand,
                kind=RankingKind.CHANGED,
                today=today,
            )
        )
    SocialAccount.objects.filter(id__in=dirty, updated_at__lte=started).update(needs_rescore=False)
    return built


def rescore_targets():
    """The (profile id, brand id or None) pairs a nightly rescoring rebuilds, in order: the
    default profile overall and for each brand, plus every pair with a published ranking."""
    scoring_profiles_install_presets()
    default = ScoringProfile.objects.default()
    targets = {(default.pk, None)}
    targets |= {(default.pk, brand_id) for brand_id in Brand.objects.values_list("id", flat=True)}
    targets |= set(Ranking.objects.published().values_list("profile_id", "brand_id"))
    return sorted(targets, key=lambda pair: (pair[0], pair[1] or 0))


def rescore_everything(*, today=None):
    """The nightly run in this process: a full ranking of every `rescore_targets()` pair.
    Clears every rescore mark."""
    started = timezone.now()
    built = []
    for profile_id, brand_id in rescore_targets():
        profile = ScoringProfile.objects.get(pk=profile_id)
        brand = Brand.objects.get(pk=brand_id) if brand_id else None
        built.append(ranking_build(profile=profile, brand=brand, today=today))
    SocialAccount.objects.filter(needs_rescore=True, updated_at__lte=started).update(
        needs_rescore=False
    )
    return built


def explain_scores(ranking, account_ids):
    """{account_id: explanation} for stored scores, in words a marketer understands.

    The engine runs again on the accounts' inputs with the ranking's profile version,
    benchmarks and date: the same numbers as stored, so the same words. When an input
    changed since (a new import not yet rescored, an edited bio), the text says so.
    """
    ids = [int(account_id) for account_id in account_ids]
    if not ids:
        return {}
    accounts = storage.read_frame(
        storage.ACCOUNT_QUERY + " WHERE a.id = ANY(%s) ORDER BY a.id", [ids]
    )
    if accounts.empty:
        return {}
    scores = engine.score_accounts(
        accounts,
        engine_profile(ranking.profile),
        today=ranking.scored_on,
        benchmarks=ranking_benchmarks(ranking),
        target=target_of(ranking.brand),
        relationships=storage.read_relationships(ranking.brand_id) if ranking.brand_id else None,
        currency_rates=ranking.currency_rates,
    )
    stored = dict(
        AccountScore.objects.filter(ranking=ranking, account_id__in=ids).values_list(
            "account_id", "total"
        )
    )
    explanations = {}
    for row in scores.itertuples(index=False):  # one page of rows at most
        text = str(row.explanation)
        before, now = stored.get(row.account_id), row.total
        # Stored NULL is the engine's NaN (no total); otherwise the numbers must agree.
        changed = (before is None) != math.isnan(now) or (
            before is not None and abs(before - now) >= 1e-9
        )
        if changed:
            text += (
                " Note: this account's inputs changed after the ranking was computed; "
                "the next rescoring will update its score."
            )
        explanations[int(row.account_id)] = text
    return explanations


def scores_frame(ranking):
    """The stored scores of a ranking as a data frame (tests, exports)."""
    return (
        storage.read_frame(
            f"SELECT * FROM {storage.PARENT_TABLE} WHERE ranking_id = %s ORDER BY rank",
            [ranking.pk],
        )
        if ranking
        else pd.DataFrame()
    )
