"""Reach, resonance, relationship, the total and its confidence (relevance has its own
module). Every function works on whole arrays; NaN means "no data", never 0."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.inputs import AccountArrays, date_days, float_column
from scoring.engine.profile import Profile

REACH_FROM_FOLLOWERS = 0
REACH_FROM_VIEWS = 1


@dataclass
class Reach:
    score: np.ndarray
    basis_value: np.ndarray  # followers, or average views when followers are unknown
    basis_code: np.ndarray  # REACH_FROM_FOLLOWERS, REACH_FROM_VIEWS, -1 unknown
    floor: np.ndarray
    ceiling: np.ndarray


def reach_scores(accounts: AccountArrays, profile: Profile) -> Reach:
    """100 × (log10(x) − log10(floor)) / (log10(ceiling) − log10(floor)), clipped to 0..100,
    x = followers, or the average views (estimated reach) when followers are unknown."""
    scale = profile.reach
    floors = np.array([scale.floor_for(name) for name in accounts.platforms] or [np.nan])
    ceilings = np.array([scale.ceiling_for(name) for name in accounts.platforms] or [np.nan])
    floor = floors[accounts.platform_codes]
    ceiling = ceilings[accounts.platform_codes]
    has_followers = ~np.isnan(accounts.followers)
    has_views = ~has_followers & ~np.isnan(accounts.views)
    basis_value = np.where(has_followers, accounts.followers, accounts.views)
    basis_code = np.select([has_followers, has_views], [REACH_FROM_FOLLOWERS, REACH_FROM_VIEWS], -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_floor = np.log10(floor)
        raw = 100.0 * (np.log10(basis_value) - log_floor) / (np.log10(ceiling) - log_floor)
    score = np.clip(raw, 0.0, 100.0)  # log10(0) = -inf: zero followers is reach 0
    score[basis_code < 0] = np.nan
    return Reach(score, basis_value, basis_code, floor, ceiling)


@dataclass
class Resonance:
    score: np.ndarray
    comment_share: np.ndarray
    conversation_adjustment: np.ndarray  # 0 when the comment share is unknown
    credibility_adjustment: np.ndarray  # 0 when audience credibility is unknown


def resonance_scores(
    accounts: AccountArrays, percentile: np.ndarray, profile: Profile
) -> Resonance:
    """Engagement percentile + conversation-depth points + audience-credibility points,
    clipped to 0..100; NaN when the percentile is unknown."""
    settings = profile.resonance
    likes_and_comments = accounts.likes + accounts.comments
    with np.errstate(divide="ignore", invalid="ignore"):
        comment_share = np.where(
            likes_and_comments > 0, accounts.comments / likes_and_comments, np.nan
        )
        ratio = np.log2(comment_share / settings.reference_comment_share)
        conversation = settings.conversation_points * np.clip(ratio, -1.0, 1.0)
        credibility = settings.credibility_points * np.clip(
            (accounts.credibility - settings.reference_credibility)
            / (1.0 - settings.reference_credibility),
            -1.0,
            1.0,
        )
    conversation = np.where(np.isnan(comment_share), 0.0, conversation)
    credibility = np.where(np.isnan(accounts.credibility), 0.0, credibility)
    score = np.clip(percentile + conversation + credibility, 0.0, 100.0)
    return Resonance(score, comment_share, conversation, credibility)


@dataclass
class Relationship:
    score: np.ndarray
    has_row: np.ndarray
    stage: np.ndarray  # object array of stage names ("" without a row)
    stage_points: np.ndarray
    advocate_points: np.ndarray
    delivered: np.ndarray
    collaborated: np.ndarray
    replied: np.ndarray
    contacted: np.ndarray
    declined: np.ndarray
    event_points: np.ndarray
    responsiveness_points: np.ndarray
    decline_points: np.ndarray
    days_since_event: np.ndarray
    recency: np.ndarray


def relationship_scores(
    accounts: AccountArrays,
    relationships: pd.DataFrame | None,
    profile: Profile,
    today: float,
) -> Relationship:
    """stage + advocate + (events + responsiveness − declines) × recency, clipped to 0..100.
    Computed once per relationship row, then gathered onto the influencer's accounts."""
    settings = profile.relationship
    if relationships is None:
        relationships = pd.DataFrame({"influencer_id": pd.Series([], dtype="Int64")})
    if "influencer_id" not in relationships.columns:
        raise ValueError("relationships frame lacks the influencer_id column")
    relationship_ids = relationships["influencer_id"].astype("Int64")
    if relationship_ids.duplicated().any():
        raise ValueError("relationships must hold one row per influencer_id (one brand at a time)")
    if "influencer_id" in accounts.frame.columns:
        account_ids = accounts.frame["influencer_id"].astype("Int64")
        position = pd.Index(relationship_ids).get_indexer(pd.Index(account_ids))
    else:
        position = np.full(accounts.size, -1)
    has_row = position >= 0

    def counts(name: str) -> np.ndarray:
        values = np.nan_to_num(float_column(relationships, name), nan=0.0)
        return np.maximum(values, 0.0)

    stage_table = dict(settings.stage_points)
    if "stage" in relationships.columns:
        stages = relationships["stage"].astype("str").str.strip().str.lower().fillna("")
        stages = stages.where(stages != "", "none")
        stage_names = stages.to_numpy(dtype=object)
    else:
        stage_names = np.full(len(relationships), "none", dtype=object)
    stage_points = pd.Series(stage_names, dtype=object).map(stage_table).fillna(0.0)
    stage_points = stage_points.to_numpy(dtype=np.float64)
    if "is_advocate" in relationships.columns:
        advocates = relationships["is_advocate"].astype("boolean").fillna(False)
        is_advocate = advocates.to_numpy(dtype=bool)
    else:
        is_advocate = np.zeros(len(relationships), dtype=bool)
    advocate_points = np.where(is_advocate, settings.advocate, 0.0)
    delivered, collaborated = counts("delivered"), counts("collaborated")
    replied, contacted, declined = counts("replied"), counts("contacted"), counts("declined")
    event_points = np.minimum(
        settings.events_cap,
        delivered * settings.per_delivered + collaborated * settings.per_collaborated,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        reply_rate = np.where(contacted > 0, np.clip(replied / contacted, 0.0, 1.0), 0.0)
    responsiveness_points = settings.responsiveness * reply_rate
    decline_points = declined * settings.per_declined
    if "last_event_on" in relationships.columns:
        days_since = np.maximum(today - date_days(relationships["last_event_on"]), 0.0)
    else:
        days_since = np.full(len(relationships), np.nan)
    recency = np.where(np.isnan(days_since), 1.0, 0.5 ** (days_since / settings.half_life_days))
    history = (event_points + responsiveness_points - decline_points) * recency
    score = np.clip(stage_points + advocate_points + history, 0.0, 100.0)

    def gather(values: np.ndarray, missing: object = np.nan) -> np.ndarray:
        padded = np.append(values, np.array([missing], dtype=values.dtype))
        return padded[np.where(has_row, position, len(values))]

    return Relationship(
        score=gather(score),
        has_row=has_row,
        stage=gather(stage_names, ""),
        stage_points=gather(stage_points),
        advocate_points=gather(advocate_points),
        delivered=gather(delivered),
        collaborated=gather(collaborated),
        replied=gather(replied),
        contacted=gather(contacted),
        declined=gather(declined),
        event_points=gather(event_points),
        responsiveness_points=gather(responsiveness_points),
        decline_points=gather(decline_points),
        days_since_event=gather(days_since),
        recency=gather(recency),
    )


@dataclass
class Total:
    score: np.ndarray
    present_weight: np.ndarray  # sum of the weights of the components with data
    data_share: np.ndarray  # present_weight / sum of all weights
    age_days: np.ndarray
    staleness_factor: np.ndarray
    suspicious_factor: np.ndarray
    confidence: np.ndarray


COMPONENT_NAMES = ("reach", "relevance", "resonance", "relationship")


def total_scores(
    components: dict[str, np.ndarray],
    accounts: AccountArrays,
    is_suspicious: np.ndarray,
    profile: Profile,
    today: float,
) -> Total:
    """Weighted mean over the components present; confidence = share of weight with data ×
    staleness factor × (suspicious factor when flagged)."""
    weights = profile.weights
    present_weight = np.zeros(accounts.size)
    weighted = np.zeros(accounts.size)
    # Summed in a fixed order, element by element: chunks must reproduce the same bits.
    for name in COMPONENT_NAMES:
        values = components[name]
        known = ~np.isnan(values)
        weight = getattr(weights, name)
        present_weight = present_weight + np.where(known, weight, 0.0)
        weighted = weighted + np.where(known, values * weight, 0.0)
    all_weight = sum(getattr(weights, name) for name in COMPONENT_NAMES)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(present_weight > 0, np.clip(weighted / present_weight, 0.0, 100.0), np.nan)
    data_share = present_weight / all_weight

    staleness = profile.staleness
    age_days = np.maximum(today - accounts.as_of_days, 0.0)
    over = np.maximum(age_days - staleness.fresh_days, 0.0)
    staleness_factor = np.where(
        np.isnan(age_days), staleness.unknown_date_factor, 0.5 ** (over / staleness.half_life_days)
    )
    suspicious_factor = np.where(is_suspicious, profile.suspicious.confidence_factor, 1.0)
    confidence = np.clip(data_share * staleness_factor * suspicious_factor, 0.0, 1.0)
    return Total(
        score, present_weight, data_share, age_days, staleness_factor, suspicious_factor, confidence
    )
