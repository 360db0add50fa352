"""The alias table: which header of a foreign export feeds which canonical column.

``detect_mapping(headers)`` maps each header to a canonical column, to ``None`` (not
imported) or to ``EXCLUDED`` (a protected personal trait: never read at all). Headers are
compared by ``header_key``: case, accents, punctuation and camelCase do not matter, ``%``
reads as "percent", so ``60_day_eng_rate``, ``Views avg.`` and ``followersCount`` are found.

Two mapping targets are not columns: ``engagement_rate_percent`` and
``audience_credibility_percent`` say that the column holds bare percentages ("16.6" meaning
16.6 %); they land in ``engagement_rate`` / ``audience_credibility`` as fractions. A cell with
a ``%`` sign is read as a percentage whatever the target.

``infer_platform(headers)`` names the platform when the headers themselves say it
("Tiktoker name", "Youtube Channel"); file names are never taken as evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

EXCLUDED = "excluded"

CANONICAL_FIELDS = (
    "platform",
    "handle",
    "display_name",
    "external_id",
    "url",
    "bio",
    "country",
    "language",
    "categories",
    "contact_email",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_shares",
    "avg_saves",
    "avg_views",
    "median_likes",
    "median_comments",
    "median_views",
    "engagement_rate",
    "audience_country",
    "audience_credibility",
    "price_per_post",
    "price_currency",
    "as_of",
)
PERCENT_TARGETS = {
    "engagement_rate_percent": "engagement_rate",
    "audience_credibility_percent": "audience_credibility",
}
MAPPING_TARGETS = (*CANONICAL_FIELDS, *PERCENT_TARGETS)
# Several columns may feed categories ("category_1", "category_2"); every other field has one.
MULTI_SOURCE_FIELDS = frozenset({"categories"})


def header_key(header: str) -> str:
    """A header reduced to lowercase words: ``"Views avg."`` → ``"views avg"``,
    ``"60_day_eng_rate"`` → ``"60 day eng rate"``, ``"Engagement (%)"`` → ``"engagement
    percent"``, ``"followersCount"`` → ``"followers count"``."""
    if not re.search(r"[\s_.-]", header.strip()):  # one camelCase word: followersCount
        header = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", header)
    text = re.sub(r"(?i)\byou tube\b", "youtube", re.sub(r"(?i)\btik tok\b", "tiktok", header))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = text.replace("%", " percent ").replace("&", " and ").replace("#", " number ")
    return " ".join(re.findall(r"[^\W_]+", text))


_ALIASES_BY_TARGET: dict[str, tuple[str, ...]] = {
    "platform": (
        "platform",
        "network",
        "social network",
        "social media",
        "social platform",
        "source platform",
    ),
    "handle": (
        "handle",
        "username",
        "user name",
        "user",
        "account",
        "account name",
        "account handle",
        "profile",
        "channel info",
        "channel handle",
        "custom url",
        "instagram name",
        "instagram handle",
        "instagram username",
        "instagram account",
        "ig handle",
        "ig username",
        "insta handle",
        "tiktoker name",
        "tiktok username",
        "tiktok handle",
        "tiktok account",
        "youtuber name",
        "youtube handle",
        "youtube channel",
        "twitter handle",
        "twitter username",
        "x handle",
        "screen name",
        "twitch name",
        "twitch username",
        "creator handle",
        "creator username",
        "influencer handle",
        "influencer username",
    ),
    "display_name": (
        "display name",
        "name",
        "full name",
        "channel name",
        "channel title",
        "title",
        "tiktok name",
        "nickname",
        "nick name",
        "influencer",
        "influencer name",
        "creator",
        "creator name",
        "page name",
        "profile name",
    ),
    "external_id": (
        "external id",
        "id",
        "user id",
        "account id",
        "channel id",
        "profile id",
        "platform id",
        "instagram id",
        "ig id",
        "tiktok id",
        "youtube channel id",
        "pk",
        "uid",
    ),
    "url": (
        "url",
        "profile url",
        "profile link",
        "link",
        "channel url",
        "channel link",
        "account url",
        "instagram url",
        "tiktok url",
        "youtube url",
        "page url",
    ),
    "bio": (
        "bio",
        "biography",
        "description",
        "about",
        "bio description",
        "channel description",
        "profile description",
    ),
    "country": (
        "country",
        "country code",
        "creator country",
        "influencer country",
        "home country",
        "location country",
    ),
    "language": ("language", "lang", "content language", "primary language", "language code"),
    "categories": (
        "categories",
        "category",
        "category 1",
        "category 2",
        "category 3",
        "main category",
        "primary category",
        "content category",
        "topic",
        "topics",
        "niche",
        "niches",
        "genre",
        "genres",
        "vertical",
    ),
    "contact_email": (
        "contact email",
        "email",
        "e mail",
        "email address",
        "business email",
        "contact",
    ),
    "followers": (
        "followers",
        "follower",
        "follower count",
        "followers count",
        "subscribers",
        "subscriber",
        "subscriber count",
        "subscribers count",
        "subs",
        "fans",
        "fan count",
        "total followers",
        "audience size",
        "instagram followers",
        "tiktok followers",
        "youtube subscribers",
        "twitter followers",
    ),
    "following": ("following", "following count", "follows", "follows count", "followings"),
    "posts": (
        "posts",
        "post count",
        "posts count",
        "number of posts",
        "no of posts",
        "media count",
        "video count",
        "videos",
        "videos count",
        "number of videos",
        "uploads",
        "total posts",
        "total videos",
        "tweets",
        "tweet count",
        "statuses count",
    ),
    "avg_likes": (
        "avg likes",
        "average likes",
        "likes avg",
        "mean likes",
        "likes per post",
        "avg likes per post",
        "average likes per post",
        "likes",
    ),
    "avg_comments": (
        "avg comments",
        "average comments",
        "comments avg",
        "mean comments",
        "comments per post",
        "avg comments per post",
        "comments",
    ),
    "avg_shares": (
        "avg shares",
        "average shares",
        "shares avg",
        "mean shares",
        "shares per post",
        "shares",
    ),
    "avg_saves": ("avg saves", "average saves", "saves avg", "saves per post", "saves"),
    "avg_views": (
        "avg views",
        "average views",
        "views avg",
        "mean views",
        "views per video",
        "views per post",
        "avg video views",
        "average video views",
        "views",
    ),
    "median_likes": ("median likes", "likes median"),
    "median_comments": ("median comments", "comments median"),
    "median_views": ("median views", "views median"),
    "engagement_rate": (
        "engagement rate",
        "engagement",
        "eng rate",
        "er",
        "avg engagement rate",
        "average engagement rate",
        "60 day eng rate",
        "60 day engagement rate",
    ),
    "engagement_rate_percent": (
        "engagement rate percent",
        "engagement percent",
        "er percent",
        "eng rate percent",
    ),
    "audience_country": (
        "audience country",
        "top audience country",
        "main audience country",
        "audience top country",
        "audience location",
        "audience geo",
        "top country",
    ),
    "audience_credibility": (
        "audience credibility",
        "credibility",
        "audience quality",
        "audience authenticity",
        "real followers",
    ),
    "audience_credibility_percent": (
        "audience credibility percent",
        "credibility percent",
        "real followers percent",
    ),
    "price_per_post": (
        "price per post",
        "price",
        "post price",
        "rate per post",
        "cost per post",
        "fee",
        "sponsored post price",
    ),
    "price_currency": ("price currency", "currency"),
    "as_of": (
        "as of",
        "as of date",
        "date",
        "snapshot date",
        "data date",
        "report date",
        "collected at",
        "collected on",
        "scraped at",
        "updated at",
        "last updated",
    ),
}

# Headers we recognise and deliberately do not import (vendor ranks and scores, lifetime
# totals that are not per-post metrics, flags). Shown as "not imported" in the preview.
IGNORED_HEADERS = frozenset(
    header_key(header)
    for header in (
        "rank",
        "ranking",
        "s no",
        "sno",
        "no",
        "index",
        "influence score",
        "score",
        "total likes",
        "likes total",
        "likes count",
        "new post avg like",
        "engagement avg",
        "authentic engagement",
        "brand account",
        "famous",
        "started",
        "created",
        "joined",
        "video views",
        "total views",
        "view count",
        "verified",
        "is verified",
        "avatar",
        "avatar url",
        "profile picture",
        "profile picture url",
    )
)

ALIASES: dict[str, str] = {
    header_key(alias): target
    for target, aliases in _ALIASES_BY_TARGET.items()
    for alias in (target, *aliases)
}

# Words that mark a column about a protected personal trait. Such a column is never imported,
# whatever the mapping says ("Audience gender" splits are dropped too: better safe).
PROTECTED_WORDS = frozenset(
    {
        "gender",
        "sex",
        "age",
        "ages",
        "birthday",
        "birthdate",
        "dob",
        "birth",
        "born",
        "ethnicity",
        "ethnic",
        "race",
        "racial",
        "religion",
        "religious",
        "faith",
        "sexuality",
        "sexual",
        "orientation",
        "lgbt",
        "lgbtq",
        "lgbtqi",
        "lgbtqia",
        "queer",
        "transgender",
        "disability",
        "disabled",
        "pregnant",
        "pregnancy",
        "marital",
        "caste",
        "nationality",
        "citizenship",
        "political",
        "health",
    }
)

# Words that say a header's numbers are in thousands or millions ("Followers (M)"): such a
# column is left unmapped, because "12" would silently become 12 instead of 12,000,000.
_UNIT_WORDS = frozenset({"k", "m", "mn", "thousands", "millions", "billions", "000s", "mil"})
_FOLLOWER_WORDS = frozenset({"followers", "follower", "subscribers", "subscriber"})
_NOT_A_FOLLOWER_COUNT = frozenset(
    {"growth", "gain", "gained", "change", "increase", "delta", "new", "lost", "fake", "real"}
)

PLATFORM_WORDS = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "tiktok": "tiktok",
    "tiktoker": "tiktok",
    "tiktokers": "tiktok",
    "youtube": "youtube",
    "youtuber": "youtube",
    "yt": "youtube",
    "twitter": "x",
    "tweets": "x",
    "tweet": "x",
    "facebook": "facebook",
    "fb": "facebook",
    "twitch": "twitch",
    "podcast": "podcast",
}


def is_protected(header: str) -> bool:
    """Whether a header is about a protected personal trait (gender, age, ethnicity…)."""
    return bool(set(header_key(header).split()) & PROTECTED_WORDS)


def guess_target(header: str) -> str | None:
    """The canonical column one header feeds, or None; ``EXCLUDED`` for protected traits."""
    if is_protected(header):
        return EXCLUDED
    key = header_key(header)
    words = set(key.split())
    if key in IGNORED_HEADERS or words & _UNIT_WORDS:
        return None
    if key in ALIASES:
        return ALIASES[key]
    if "engagement" in words or {"eng", "rate"} <= words:
        if words & {"avg", "average", "total"} and "rate" not in words:
            return None  # "Engagement avg." counts interactions: it is not a rate
        return "engagement_rate_percent" if words & {"percent", "pct"} else "engagement_rate"
    if words & _FOLLOWER_WORDS and not words & (_NOT_A_FOLLOWER_COUNT | {"audience"}):
        return "followers"
    return None


def field_of(target: str | None) -> str | None:
    """The canonical column a mapping target lands in (percent targets land in their rate)."""
    if target is None or target == EXCLUDED:
        return None
    return PERCENT_TARGETS.get(target, target)


def detect_mapping(headers: Iterable[str]) -> dict[str, str | None]:
    """Map every header to a canonical column, ``None`` (not imported) or ``EXCLUDED``.

    When two headers would feed the same column, the one named exactly like the column wins,
    else the first; the others are left unmapped (the preview shows it, the user can change
    it).
    """
    headers = list(dict.fromkeys(headers))
    mapping: dict[str, str | None] = {header: guess_target(header) for header in headers}
    claimed: dict[str, str] = {}
    exact = {
        header
        for header in headers
        if header_key(header) in ALIASES
        and (header_key(header).replace(" ", "_") in MAPPING_TARGETS)
    }
    for header in sorted(headers, key=lambda header: header not in exact):
        field = field_of(mapping[header])
        if field is None or field in MULTI_SOURCE_FIELDS:
            continue
        if field in claimed:
            mapping[header] = None
        else:
            claimed[field] = header
    return mapping


def infer_platform(headers: Iterable[str]) -> str | None:
    """The platform the headers name ("Tiktoker name" → tiktok), or None if none or several."""
    found = {
        PLATFORM_WORDS[word]
        for header in headers
        for word in header_key(header).split()
        if word in PLATFORM_WORDS
    }
    return found.pop() if len(found) == 1 else None
