"""Property tests: bounds, monotonicity, NULL handling, chunking and determinism."""

import dataclasses
import datetime
import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import PLATFORMS, PRESETS, Target, compute_benchmarks, score_accounts
from scoring.engine.profile import EngagementTiers, FairPrice
from tests.scoring.frames import account_frame, relationship_frame

TODAY = datetime.date(2024, 6, 15)
PROFILES = [
    PRESETS["default"],
    PRESETS["conversions"],
    dataclasses.replace(
        PRESETS["micro-5k-20k"],
        engagement_tiers=EngagementTiers(minimum_peers=1),
        fair_price=FairPrice(minimum_peers=1),
    ),
]
SCORE_COLUMNS = ["reach", "resonance", "relevance", "relationship", "total"]
WORDS = ["vegan", "fitness", "travel", "the", "food", "gaming", "café", "#yoga", "berlin", "a"]
# Units per US dollar; BRL has no rate, so its prices are unknown.
RATES = {"USD": 1.0, "EUR": 0.85, "INR": 85.5}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def maybe(strategy):
    return st.none() | strategy


def counts():
    return maybe(st.floats(0, 1e6, allow_nan=False).map(lambda value: round(value, 2)))


account_rows = st.fixed_dictionaries(
    {
        "influencer_id": st.integers(1, 12),
        "platform": st.sampled_from(PLATFORMS),
        "followers": maybe(st.integers(0, 50_000_000)),
        "avg_likes": counts(),
        "avg_comments": counts(),
        "avg_shares": counts(),
        "avg_saves": counts(),
        "avg_views": counts(),
        "reported_engagement_rate": maybe(st.floats(0, 0.5)),
        "audience_credibility": maybe(st.floats(0, 1)),
        "price_per_post": maybe(st.floats(0, 100_000)),
        "price_currency": maybe(st.sampled_from(["USD", "EUR", "inr", "BRL", ""])),
        "metrics_as_of": maybe(st.dates(datetime.date(2022, 1, 1), datetime.date(2024, 7, 1))),
        "categories": st.lists(st.sampled_from(WORDS), max_size=3).map(", ".join),
        "bio": maybe(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)),
        "country": maybe(st.sampled_from(["DE", "US", "FR", ""])),
        "language": maybe(st.sampled_from(["de", "en", "fr"])),
    }
)

relationship_rows = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(["none", "identified", "engaged", "active", "ambassador"]),
        "is_advocate": st.booleans(),
        "contacted": st.integers(0, 5),
        "replied": st.integers(0, 5),
        "collaborated": st.integers(0, 5),
        "delivered": st.integers(0, 5),
        "declined": st.integers(0, 3),
        "last_event_on": maybe(st.dates(datetime.date(2020, 1, 1), datetime.date(2024, 6, 15))),
    }
)

targets = maybe(
    st.builds(
        Target,
        categories=st.lists(st.sampled_from(WORDS), max_size=2),
        keywords=st.lists(st.sampled_from(WORDS), max_size=3),
        countries=st.lists(st.sampled_from(["DE", "US"]), max_size=2),
        languages=st.lists(st.sampled_from(["de", "en"]), max_size=2),
        platforms=st.lists(st.sampled_from(PLATFORMS), max_size=2),
    )
)


def frame_of(rows: list[dict]) -> pd.DataFrame:
    return account_frame([{"account_id": 1_000 + index, **row} for index, row in enumerate(rows)])


def relationships_of(rows: list[dict]) -> pd.DataFrame:
    records = [{"influencer_id": index + 1, **row} for index, row in enumerate(rows)]
    return relationship_frame(records)


@SETTINGS
@given(
    rows=st.lists(account_rows, min_size=1, max_size=25),
    links=st.lists(relationship_rows, max_size=12),
    target=targets,
    profile=st.sampled_from(PROFILES),
)
def test_every_component_and_the_total_stay_within_0_and_100_or_unknown(
    rows, links, target, profile
):
    result = score_accounts(
        frame_of(rows),
        profile,
        today=TODAY,
        target=target,
        relationships=relationships_of(links),
        currency_rates=RATES,
    )

    for column in [*SCORE_COLUMNS, "engagement_percentile"]:
        values = result[column].to_numpy()
        known = values[~np.isnan(values)]
        assert ((known >= 0) & (known <= 100)).all(), column
    assert result["confidence"].between(0, 1).all()
    assert result["account_id"].tolist() == [1_000 + index for index in range(len(rows))]
    assert result["explanation"].str.len().gt(0).all()


@SETTINGS
@given(
    platform=st.sampled_from(PLATFORMS),
    followers=st.lists(st.integers(0, 100_000_000), min_size=2, max_size=30),
    profile=st.sampled_from(PROFILES),
)
def test_more_followers_never_lowers_reach(platform, followers, profile):
    frame = frame_of([{"platform": platform, "followers": count} for count in followers])

    result = score_accounts(frame, profile, today=TODAY)

    reach = result.assign(followers=followers).sort_values("followers", kind="stable")["reach"]
    assert reach.is_monotonic_increasing


@SETTINGS
@given(
    peers=st.lists(account_rows, min_size=1, max_size=30),
    account=account_rows,
    extra_engagement=st.floats(0, 1e5),
    profile=st.sampled_from(PROFILES),
)
def test_within_a_platform_and_tier_a_higher_rate_never_lowers_resonance(
    peers, account, extra_engagement, profile
):
    benchmarks = compute_benchmarks(frame_of(peers), profile)
    # Everything equal but the shares: the rate rises, the comment share does not move.
    lower = {**account, "avg_shares": account["avg_shares"] or 0.0}
    higher = {**lower, "avg_shares": lower["avg_shares"] + extra_engagement}

    result = score_accounts(frame_of([lower, higher]), profile, today=TODAY, benchmarks=benchmarks)

    low, high = result["resonance"].tolist()
    rate_low, rate_high = result["engagement_rate"].tolist()
    assert np.isnan(low) == np.isnan(high)
    if not np.isnan(low):
        assert rate_high >= rate_low
        assert high >= low


@SETTINGS
@given(rows=st.lists(account_rows, min_size=1, max_size=25), profile=st.sampled_from(PROFILES))
def test_missing_inputs_are_unknown_and_the_total_renormalises(rows, profile):
    result = score_accounts(frame_of(rows), profile, today=TODAY)

    # No target, no relationships: unknown, not zero.
    assert result["relevance"].isna().all()
    assert result["relationship"].isna().all()
    weights = profile.weights
    reach, resonance = result["reach"].to_numpy(), result["resonance"].to_numpy()
    present = np.where(np.isnan(reach), 0, weights.reach) + np.where(
        np.isnan(resonance), 0, weights.resonance
    )
    weighted = np.nan_to_num(reach * weights.reach) + np.nan_to_num(resonance * weights.resonance)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(present > 0, weighted / present, np.nan)
    np.testing.assert_allclose(result["total"].to_numpy(), expected, rtol=1e-12)
    all_weight = weights.reach + weights.relevance + weights.resonance + weights.relationship
    assert (result["confidence"] <= present / all_weight + 1e-12).all()


def test_a_missing_component_is_left_out_of_the_total_with_the_exact_renormalised_weight():
    row = {
        "platform": "instagram",
        "followers": 100_000,
        "avg_likes": 2_000.0,
        "avg_comments": 40.0,
        "metrics_as_of": datetime.date(2024, 6, 10),
        "influencer_id": 1,
        "bio": "vegan fitness",
        "country": "DE",
        "language": "de",
    }
    frame = frame_of([row])
    profile = PROFILES[2]
    target = Target(keywords=["vegan", "fitness"], countries=["DE"], languages=["de"])
    links = relationships_of([{"stage": "active"}])

    everything = score_accounts(frame, profile, today=TODAY, target=target, relationships=links)
    without_target = score_accounts(frame, profile, today=TODAY, relationships=links)
    without_likes = score_accounts(
        frame.assign(avg_likes=np.nan, avg_comments=np.nan), profile, today=TODAY
    )

    assert everything[SCORE_COLUMNS[:4]].iloc[0].tolist() == [
        50.0,
        everything["resonance"].iloc[0],
        100.0,
        40.0,
    ]
    reach, resonance = 50.0, everything["resonance"].iloc[0]
    assert everything["total"].iloc[0] == (
        (reach * 0.25 + 100.0 * 0.25 + resonance * 0.30 + 40.0 * 0.20) / 1.0
    )
    assert np.isnan(without_target["relevance"].iloc[0])
    assert without_target["total"].iloc[0] == (reach * 0.25 + resonance * 0.30 + 40.0 * 0.20) / 0.75
    assert without_target["confidence"].iloc[0] == 0.75
    assert np.isnan(without_likes["resonance"].iloc[0])
    assert without_likes["total"].iloc[0] == reach
    assert without_likes["confidence"].iloc[0] == 0.25


@SETTINGS
@given(
    rows=st.lists(account_rows, min_size=1, max_size=30),
    links=st.lists(relationship_rows, max_size=12),
    target=targets,
    profile=st.sampled_from(PROFILES),
    cuts=st.lists(st.integers(0, 30), max_size=4),
)
def test_scoring_in_chunks_equals_scoring_at_once(rows, links, target, profile, cuts):
    frame = frame_of(rows)
    relationships = relationships_of(links)
    benchmarks = compute_benchmarks(frame, profile, currency_rates=RATES)
    options = {"today": TODAY, "benchmarks": benchmarks, "target": target, "currency_rates": RATES}

    at_once = score_accounts(frame, profile, relationships=relationships, **options)
    bounds = sorted({0, len(frame), *(cut for cut in cuts if cut < len(frame))})
    chunks = [
        score_accounts(frame.iloc[start:stop], profile, relationships=relationships, **options)
        for start, stop in itertools.pairwise(bounds)
    ]

    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), at_once, check_exact=True)


@SETTINGS
@given(
    rows=st.lists(account_rows, min_size=1, max_size=25),
    links=st.lists(relationship_rows, max_size=12),
    target=targets,
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 1_000),
)
def test_the_same_inputs_and_profile_give_the_same_scores_in_any_row_order(
    rows, links, target, profile, seed
):
    frame = frame_of(rows)
    relationships = relationships_of(links)
    options = {
        "today": TODAY,
        "target": target,
        "relationships": relationships,
        "currency_rates": RATES,
    }

    first = score_accounts(frame, profile, **options)
    again = score_accounts(frame.copy(), profile, **options)
    shuffled = score_accounts(frame.sample(frac=1, random_state=seed), profile, **options)

    pd.testing.assert_frame_equal(first, again, check_exact=True)
    pd.testing.assert_frame_equal(
        shuffled.sort_values("account_id", ignore_index=True), first, check_exact=True
    )
