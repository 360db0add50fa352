"""Realistic synthetic influencers for demos and benchmarks, written with COPY.

Deterministic for a seed (and an as-of date). Shapes follow published figures:
platforms in realistic proportions, a heavy-tailed follower count (most accounts are nano,
a thin tail reaches mega), engagement rates that fall with follower count along the
HypeAuditor 2018 Instagram benchmarks (4.26 % at 1–5k down to 1.54 % above 1M, see
shared/data/real/README.md) with platform multipliers, prices that grow with reach, and a
history of snapshots a month apart.
"""

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction

from campaigns.models import (
    Brand,
    Relationship,
    RelationshipEvent,
    RelationshipEventKind,
    RelationshipStage,
)

from .models import ACCOUNT_METRIC_FIELDS, Influencer, MetricSnapshot, SocialAccount

CHUNK_SIZE = 100_000
DEMO_SOURCE = "demo-seed"

PLATFORM_SHARES = {
    "instagram": 0.44,
    "tiktok": 0.26,
    "youtube": 0.14,
    "x": 0.07,
    "facebook": 0.04,
    "twitch": 0.02,
    "blog": 0.02,
    "podcast": 0.01,
}
# Engagement relative to Instagram at the same size (TikTok engages more per follower,
# X and Facebook far less).
PLATFORM_ENGAGEMENT = {
    "instagram": 1.0,
    "tiktok": 2.4,
    "youtube": 0.8,
    "x": 0.35,
    "facebook": 0.3,
    "twitch": 0.6,
    "blog": 0.5,
    "podcast": 0.5,
}
VIDEO_PLATFORMS = {"tiktok", "youtube", "twitch"}
PROFILE_URLS = {
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
    "x": "https://x.com/{}",
    "facebook": "https://www.facebook.com/{}",
    "twitch": "https://www.twitch.tv/{}",
    "blog": "https://{}.blog.example",
    "podcast": "https://podcasts.example/{}",
}
# HypeAuditor 2018, Instagram, ~37k accounts: median engagement rate per follower band,
# placed at the middle of each band on a log10 scale.
BENCHMARK_LOG_FOLLOWERS = np.array([3.35, 4.0, 4.65, 5.5, 6.5])
BENCHMARK_ENGAGEMENT = np.array([0.0426, 0.0228, 0.0162, 0.0155, 0.0154])

COUNTRIES = {  # code: (weight, language, currency, name)
    "US": (0.24, "en", "USD", "the US"),
    "GB": (0.08, "en", "GBP", "the UK"),
    "DE": (0.06, "de", "EUR", "Germany"),
    "FR": (0.06, "fr", "EUR", "France"),
    "ES": (0.05, "es", "EUR", "Spain"),
    "IT": (0.05, "it", "EUR", "Italy"),
    "BR": (0.08, "pt", "USD", "Brazil"),
    "MX": (0.05, "es", "USD", "Mexico"),
    "IN": (0.08, "hi", "USD", "India"),
    "ID": (0.05, "id", "USD", "Indonesia"),
    "CA": (0.04, "en", "USD", "Canada"),
    "AU": (0.03, "en", "USD", "Australia"),
    "NL": (0.02, "nl", "EUR", "the Netherlands"),
    "SE": (0.02, "sv", "EUR", "Sweden"),
    "JP": (0.03, "ja", "USD", "Japan"),
    "KR": (0.02, "ko", "USD", "South Korea"),
    "PH": (0.02, "en", "USD", "the Philippines"),
    "NG": (0.01, "en", "USD", "Nigeria"),
    "ZA": (0.01, "en", "USD", "South Africa"),
}
CATEGORIES = [
    "fashion", "beauty", "fitness", "food", "travel", "gaming", "tech", "parenting",
    "finance", "home", "pets", "music", "comedy", "sports", "education", "photography",
    "automotive", "health", "lifestyle", "art", "outdoor", "diy",
]  # fmt: skip
FIRST_NAMES = [
    "ana", "ben", "chloe", "diego", "emma", "farah", "gabriel", "hana", "ivan", "jade",
    "kofi", "lena", "mateo", "nora", "omar", "priya", "quinn", "rosa", "sami", "tara",
    "umar", "vera", "wei", "ximena", "yuki", "zoe", "luca", "maya", "noah", "aisha",
    "leo", "mia", "arjun", "sofia", "jonas", "elif", "marta", "theo", "amara", "kai",
]  # fmt: skip
LAST_NAMES = [
    "silva", "smith", "muller", "martin", "garcia", "rossi", "kim", "tanaka", "nguyen",
    "khan", "okafor", "jensen", "novak", "lopez", "dubois", "patel", "santos", "weber",
    "costa", "moreau", "ali", "sato", "berg", "cohen", "reyes", "fischer", "bianchi",
    "walsh", "ivanova", "mendes",
]  # fmt: skip


@dataclass(frozen=True)
class SeedResult:
    influencers: int
    accounts: int
    snapshots: int
    brands: int
    relationships: int


def _copy(cursor, table, frame):
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    columns = ", ".join(frame.columns)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _reserve_ids(cursor, model, count):
    """First id of a block of `count` fresh ids; the id sequence is moved past the block.

    The table is locked (writes wait) until the seeding transaction ends, so no other
    writer can take an id from the block.
    """
    table = model._meta.db_table
    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
        f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}))"
    )
    first_id = cursor.fetchone()[0] + 1
    if count:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + count - 1])
    return first_id


def _array_literal(values):
    return "{" + ",".join(values) + "}"


def _influencer_frame(rng, first_id, count):
    codes = list(COUNTRIES)
    weights = np.array([COUNTRIES[c][0] for c in codes])
    country_index = rng.choice(len(codes), size=count, p=weights / weights.sum())
    first = rng.integers(0, len(FIRST_NAMES), size=count)
    last = rng.integers(0, len(LAST_NAMES), size=count)
    category_count = rng.integers(1, 4, size=count)
    category_picks = rng.integers(0, len(CATEGORIES), size=(count, 3))
    categories = []
    bios = []
    for row in range(count):  # string assembly only; the numbers above are vectorised
        picked = list(
            dict.fromkeys(CATEGORIES[i] for i in category_picks[row, : category_count[row]])
        )
        categories.append(_array_literal(picked))
        country_name = COUNTRIES[codes[country_index[row]]][3]
        bios.append(f"{' & '.join(picked).capitalize()} creator from {country_name}.")
    has_email = rng.random(count) < 0.55
    ids = np.arange(first_id, first_id + count)
    names = [
        f"{FIRST_NAMES[a].capitalize()} {LAST_NAMES[b].capitalize()}"
        for a, b in zip(first, last, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": names,
            "bio": bios,
            "country": [codes[i] for i in country_index],
            "language": [COUNTRIES[codes[i]][1] for i in country_index],
            "categories": categories,
            "contact_email": np.where(has_email, [f"hello+{i}@creators.example" for i in ids], ""),
            "notes": "",
        }
    )
    return frame, first, last


def generate_accounts(rng, *, first_id, influencer_ids, countries, first, last, as_of):
    """The accounts of one chunk, metrics included (a DataFrame)."""
    count = len(influencer_ids)
    platforms = np.array(list(PLATFORM_SHARES))
    platform = rng.choice(platforms, size=count, p=list(PLATFORM_SHARES.values()))
    log_followers = np.minimum(2.9 + rng.exponential(0.7, size=count), 8.7)
    followers = np.rint(10**log_followers).astype(np.int64)

    engagement_multiplier = pd.Series(platform).map(PLATFORM_ENGAGEMENT).to_numpy()
    median_rate = np.interp(log_followers, BENCHMARK_LOG_FOLLOWERS, BENCHMARK_ENGAGEMENT)
    rate = median_rate * engagement_multiplier * rng.lognormal(0.0, 0.45, size=count)
    suspicious = rng.random(count) < 0.003  # a few bought-engagement outliers
    rate = np.where(suspicious, rate * 8, rate)
    engagements = followers * rate
    comment_share = rng.beta(2, 30, size=count)
    saves_known = np.isin(platform, ["instagram", "tiktok"]) & (rng.random(count) < 0.5)
    shares_share = np.where(saves_known, rng.beta(2, 40, size=count), 0.0)
    saves_share = np.where(saves_known, rng.beta(2, 30, size=count), 0.0)
    avg_comments = engagements * comment_share
    avg_shares = np.where(saves_known, engagements * shares_share, np.nan)
    avg_saves = np.where(saves_known, engagements * saves_share, np.nan)
    avg_likes = engagements * (1 - comment_share - shares_share - saves_share)
    hides_likes = (platform == "instagram") & (rng.random(count) < 0.03)
    avg_likes = np.where(hides_likes, np.nan, avg_likes)
    known_engagement = (
        np.nan_to_num(avg_likes)
        + avg_comments
        + np.nan_to_num(avg_shares)
        + np.nan_to_num(avg_saves)
    )
    engagement_rate = known_engagement / followers

    is_video = np.isin(platform, list(VIDEO_PLATFORMS))
    views_known = is_video | ((platform == "instagram") & (rng.random(count) < 0.4))
    avg_views = np.where(views_known, followers * rng.lognormal(-1.0, 0.6, size=count), np.nan)
    following = np.where(
        np.isin(platform, ["instagram", "tiktok", "x"]),
        np.rint(rng.lognormal(6.0, 1.0, size=count)),
        np.nan,
    )
    posts = np.rint(rng.lognormal(5.5, 0.9, size=count))

    price_known = rng.random(count) < 0.6
    price = 8.0 * (followers / 1000) ** 0.85 * rng.lognormal(0.0, 0.35, size=count)
    price = np.where(price_known, np.round(np.maximum(price, 5.0), 2), np.nan)
    currency_by_country = {code: values[2] for code, values in COUNTRIES.items()}
    currency = pd.Series(countries).map(currency_by_country).to_numpy()
    credibility_known = rng.random(count) < 0.5
    credibility = np.where(credibility_known, np.round(rng.beta(8, 2, size=count), 3), np.nan)
    audience_country = np.where(rng.random(count) < 0.6, countries, "")

    ids = np.arange(first_id, first_id + count)
    handles = [
        f"{FIRST_NAMES[a]}.{LAST_NAMES[b]}{i}" for a, b, i in zip(first, last, ids, strict=True)
    ]
    urls = [PROFILE_URLS[p].format(h) for p, h in zip(platform, handles, strict=True)]
    return pd.DataFrame(
        {
            "id": ids,
            "influencer_id": influencer_ids,
            "platform": platform,
            "handle": handles,
            "url": urls,
            "external_id": rng.integers(10**15, 10**18, size=count).astype(str),
            "followers": followers,
            "following": pd.array(following, dtype="Int64"),
            "posts": pd.array(posts, dtype="Int64"),
            "avg_likes": np.round(avg_likes, 1),
            "avg_comments": np.round(avg_comments, 1),
            "avg_shares": np.round(avg_shares, 1),
            "avg_saves": np.round(avg_saves, 1),
            "avg_views": np.round(avg_views, 1),
            "engagement_rate": np.round(engagement_rate, 6),
            "engagement_rate_denominator": "followers",
            "audience_country": audience_country,
            "audience_credibility": credibility,
            "price_per_post": price,
            "price_currency": np.where(price_known, currency, ""),
            "metrics_as_of": as_of.isoformat(),
            "metrics_source": DEMO_SOURCE,
            "needs_rescore": True,
        }
    )


SNAPSHOT_METRICS = list(ACCOUNT_METRIC_FIELDS)


def history_frames(rng, accounts, *, as_of, snapshots_per_account):
    """Monthly snapshots ending with the account's current metrics (newest = current)."""
    growth = rng.normal(0.03, 0.04, size=len(accounts))
    frames = []
    for months_back in range(snapshots_per_account - 1, -1, -1):
        frame = accounts[["id", *SNAPSHOT_METRICS]].rename(columns={"id": "account_id"})
        if months_back:
            factor = (1 + growth) ** -months_back
            followers = np.maximum(np.rint(accounts["followers"].to_numpy() * factor), 0)
            frame["followers"] = followers.astype(np.int64)
            wobble = rng.lognormal(0.0, 0.15, size=len(accounts))
            for column in ["avg_likes", "avg_comments", "avg_shares", "avg_saves", "avg_views"]:
                frame[column] = np.round(accounts[column].to_numpy() * factor * wobble, 1)
            frame["engagement_rate"] = np.round(accounts["engagement_rate"].to_numpy() * wobble, 6)
        frame["as_of"] = (as_of - dt.timedelta(days=30 * months_back)).isoformat()
        frame["source"] = DEMO_SOURCE
        frames.append(frame)
    return frames


def seed(*, accounts, seed, as_of, snapshots_per_account=3, progress=None):
    """Create `accounts` social accounts (and their people, history, a few brands)."""
    root = np.random.SeedSequence(seed)
    influencer_count = max(1, round(accounts * 0.8)) if accounts else 0
    chunk_count = max(1, -(-accounts // CHUNK_SIZE))
    influencer_rng, assign_rng, *chunk_seeds = root.spawn(2 + chunk_count)
    snapshot_total = 0
    now = pd.Timestamp.now(tz="UTC").isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        first_influencer = _reserve_ids(cursor, Influencer, influencer_count)
        first_account = _reserve_ids(cursor, SocialAccount, accounts)
        # Each person has an account; a fifth of them have a second one elsewhere.
        person = np.concatenate(
            [
                np.arange(influencer_count),
                np.random.default_rng(assign_rng).integers(
                    0, influencer_count, size=accounts - influencer_count
                ),
            ]
        )
        people, first_names, last_names = _influencer_frame(
            np.random.default_rng(influencer_rng), first_influencer, influencer_count
        )
        for start in range(0, influencer_count, CHUNK_SIZE):
            chunk = people.iloc[start : start + CHUNK_SIZE].assign(created_at=now, updated_at=now)
            _copy(cursor, Influencer._meta.db_table, chunk)
        countries = people["country"].to_numpy()
        for index in range(chunk_count):
            start, stop = index * CHUNK_SIZE, min(accounts, (index + 1) * CHUNK_SIZE)
            rng = np.random.default_rng(chunk_seeds[index])
            owners = person[start:stop]
            frame = generate_accounts(
                rng,
                first_id=first_account + start,
                influencer_ids=first_influencer + owners,
                countries=countries[owners],
                first=first_names[owners],
                last=last_names[owners],
                as_of=as_of,
            )
            _copy(
                cursor, SocialAccount._meta.db_table, frame.assign(created_at=now, updated_at=now)
            )
            for snapshot in history_frames(
                rng, frame, as_of=as_of, snapshots_per_account=snapshots_per_account
            ):
                _copy(cursor, MetricSnapshot._meta.db_table, snapshot.assign(created_at=now))
                snapshot_total += len(snapshot)
            if progress:
                progress(stop - start)
        brands, relationships = _seed_brands(
            np.random.default_rng(seed), first_influencer, influencer_count, as_of
        )
        for model in (Influencer, SocialAccount, MetricSnapshot):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return SeedResult(influencer_count, accounts, snapshot_total, brands, relationships)


DEMO_BRANDS = [
    {
        "name": "Northwind Outdoor",
        "description": "Outdoor gear for weekend adventurers.",
        "target_categories": ["outdoor", "travel", "fitness"],
        "target_keywords": ["hiking", "camping", "trail"],
        "target_countries": ["US", "CA"],
        "target_languages": ["en"],
        "target_platforms": ["instagram", "youtube"],
    },
    {
        "name": "Lumen Skincare",
        "description": "Clean skincare, made in Europe.",
        "target_categories": ["beauty", "fashion", "lifestyle"],
        "target_keywords": ["skincare", "routine", "vegan"],
        "target_countries": ["GB", "FR", "DE"],
        "target_languages": ["en", "fr", "de"],
        "target_platforms": ["instagram", "tiktok"],
    },
    {
        "name": "Pixel Forge Games",
        "description": "Indie strategy games.",
        "target_categories": ["gaming", "tech"],
        "target_keywords": ["strategy", "indie", "pc"],
        "target_countries": ["US", "GB", "DE", "JP"],
        "target_languages": ["en", "de", "ja"],
        "target_platforms": ["twitch", "youtube", "tiktok"],
    },
]

STAGE_EVENTS = {
    RelationshipStage.IDENTIFIED: [],
    RelationshipStage.ENGAGED: ["contacted", "replied"],
    RelationshipStage.ACTIVE: ["contacted", "replied", "collaborated"],
    RelationshipStage.AMBASSADOR: [
        "contacted",
        "replied",
        "collaborated",
        "delivered",
        "delivered",
    ],
}


def _seed_brands(rng, first_influencer, influencer_count, as_of):
    brands = [
        Brand.objects.get_or_create(name=spec["name"], defaults=spec)[0] for spec in DEMO_BRANDS
    ]
    pairs = min(influencer_count, 90)
    if not pairs:
        return len(brands), 0
    picked = rng.choice(influencer_count, size=pairs, replace=False) + first_influencer
    stages = list(STAGE_EVENTS)
    relationships = []
    for position, influencer_id in enumerate(picked):
        stage = stages[int(rng.integers(0, len(stages)))]
        relationships.append(
            Relationship(
                brand=brands[position % len(brands)],
                influencer_id=int(influencer_id),
                stage=stage,
                is_advocate=stage == RelationshipStage.AMBASSADOR and rng.random() < 0.5,
            )
        )
    Relationship.objects.bulk_create(relationships, ignore_conflicts=True)
    events = []
    for relationship in Relationship.objects.filter(influencer_id__in=[int(i) for i in picked]):
        kinds = list(STAGE_EVENTS.get(relationship.stage, []))
        if rng.random() < 0.1:
            kinds.append(RelationshipEventKind.DECLINED)
        for step, kind in enumerate(kinds):
            days_ago = int(rng.integers(5, 40)) * (len(kinds) - step)
            events.append(
                RelationshipEvent(
                    relationship=relationship,
                    kind=kind,
                    occurred_on=as_of - dt.timedelta(days=days_ago),
                )
            )
    RelationshipEvent.objects.bulk_create(events)
    return len(brands), len(relationships)
