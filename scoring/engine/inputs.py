"""The engine's input frames: column names, the target, and their conversion to arrays.

Unknown is NaN/None/pd.NA in any input column and stays NaN in the arrays: never 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PLATFORMS = ("instagram", "tiktok", "youtube", "x", "facebook", "twitch", "blog", "podcast")
VIDEO_PLATFORMS = frozenset({"tiktok", "youtube", "twitch"})
PLATFORM_LABELS = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "facebook": "Facebook",
    "twitch": "Twitch",
    "blog": "blog",
    "podcast": "podcast",
}
RELATIONSHIP_STAGES = ("none", "identified", "engaged", "active", "ambassador")

REQUIRED_ACCOUNT_COLUMNS = ("account_id", "platform")
NUMERIC_ACCOUNT_COLUMNS = (
    "followers",
    "avg_likes",
    "avg_comments",
    "avg_shares",
    "avg_saves",
    "avg_views",
    "reported_engagement_rate",
    "audience_credibility",
    "price_per_post",
)
TEXT_ACCOUNT_COLUMNS = ("categories", "bio", "country", "language")
ACCOUNT_COLUMNS = (
    "account_id",
    "influencer_id",
    "platform",
    *NUMERIC_ACCOUNT_COLUMNS,
    "price_currency",  # ISO 4217 code of price_per_post; empty or null: unknown
    "metrics_as_of",
    *TEXT_ACCOUNT_COLUMNS,
)
RELATIONSHIP_COLUMNS = (
    "influencer_id",
    "stage",
    "is_advocate",
    "contacted",
    "replied",
    "collaborated",
    "delivered",
    "declined",
    "last_event_on",
)


@dataclass(frozen=True)
class Target:
    """What a brand (or campaign) wants: matched against each account for relevance."""

    categories: Sequence[str] = ()
    keywords: Sequence[str] = ()
    countries: Sequence[str] = ()
    languages: Sequence[str] = ()
    platforms: Sequence[str] = ()

    def __post_init__(self) -> None:
        # Lists are accepted and kept as tuples so a target is an immutable value.
        for name in ("categories", "keywords", "countries", "languages", "platforms"):
            values = getattr(self, name)
            if isinstance(values, str):
                values = [values]
            cleaned = tuple(str(value).strip() for value in values if str(value).strip())
            object.__setattr__(self, name, cleaned)

    @property
    def country_codes(self) -> tuple[str, ...]:
        return tuple(sorted({value.upper() for value in self.countries}))

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(sorted({value.lower() for value in self.languages}))

    @property
    def platform_names(self) -> tuple[str, ...]:
        return tuple(sorted({value.lower() for value in self.platforms}))


def float_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A column as float64 with NaN for unknown; a missing column is all unknown."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    column = frame[name]
    if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


def text_column(frame: pd.DataFrame, name: str) -> pa.Array:
    """A text column as an Arrow string array (null for unknown or missing)."""
    if name not in frame.columns:
        return pa.nulls(len(frame), pa.string())
    column = frame[name]
    if not isinstance(column.dtype, pd.StringDtype):
        column = column.astype("str")
    array = pa.array(column, type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):  # Arrow-backed columns read in several blocks
        array = array.combine_chunks()
    return array.cast(pa.string())


def date_days(values: object) -> np.ndarray:
    """Dates (column or scalar) as float days since the epoch, NaN when unknown."""
    stamps = pd.to_datetime(values, errors="coerce")
    if isinstance(stamps, pd.Timestamp) or stamps is pd.NaT:
        stamps = pd.DatetimeIndex([stamps])
    days = np.asarray(stamps.to_numpy(dtype="datetime64[ns]"), dtype="datetime64[D]")
    result = days.astype(np.int64).astype(np.float64)
    result[np.isnat(days)] = np.nan
    return result


def today_days(today: datetime.date | datetime.datetime | str | pd.Timestamp) -> float:
    """The scoring date as days since the epoch; a date is required (determinism)."""
    if today is None:
        raise ValueError("today is required: the engine never reads the clock")
    value = date_days(pd.Series([today]))[0]
    if np.isnan(value):
        raise ValueError(f"today is not a date: {today!r}")
    return float(value)


@dataclass
class AccountArrays:
    """The accounts frame as numpy/Arrow arrays, with platforms factorised."""

    frame: pd.DataFrame
    account_id: np.ndarray
    platform_codes: np.ndarray  # index into ``platforms``
    platforms: tuple[str, ...]
    followers: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    saves: np.ndarray
    views: np.ndarray
    reported_rate: np.ndarray
    credibility: np.ndarray
    price: np.ndarray  # in the account's own currency (see value.convert_prices)
    price_currency_codes: np.ndarray  # index into ``price_currencies``
    price_currencies: tuple[str, ...]  # upper-case codes; "" is unknown
    as_of_days: np.ndarray

    @property
    def size(self) -> int:
        return len(self.account_id)

    def is_video(self) -> np.ndarray:
        video = np.array([name in VIDEO_PLATFORMS for name in self.platforms], dtype=bool)
        return video[self.platform_codes] if self.size else np.zeros(0, dtype=bool)


def account_arrays(accounts: pd.DataFrame) -> AccountArrays:
    """Validate the accounts frame and convert it; negative counts are unknown."""
    missing = [name for name in REQUIRED_ACCOUNT_COLUMNS if name not in accounts.columns]
    if missing:
        raise ValueError(f"accounts frame lacks required columns: {missing}")
    account_id = accounts["account_id"].to_numpy(dtype=np.int64)
    if not pd.Index(account_id).is_unique:
        raise ValueError("accounts frame has duplicate account_id values")
    platform = pc.utf8_lower(pc.utf8_trim_whitespace(text_column(accounts, "platform")))
    encoded = pc.dictionary_encode(pc.fill_null(platform, ""))
    platforms = tuple(str(name) for name in encoded.dictionary.to_pylist())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    currency = pc.utf8_upper(pc.utf8_trim_whitespace(text_column(accounts, "price_currency")))
    currency_encoded = pc.dictionary_encode(pc.fill_null(currency, ""))

    def non_negative(name: str) -> np.ndarray:
        values = float_column(accounts, name)
        values[values < 0] = np.nan
        return values

    return AccountArrays(
        frame=accounts,
        account_id=account_id,
        platform_codes=codes,
        platforms=platforms,
        followers=non_negative("followers"),
        likes=non_negative("avg_likes"),
        comments=non_negative("avg_comments"),
        shares=non_negative("avg_shares"),
        saves=non_negative("avg_saves"),
        views=non_negative("avg_views"),
        reported_rate=non_negative("reported_engagement_rate"),
        credibility=np.clip(non_negative("audience_credibility"), 0.0, 1.0),
        price=non_negative("price_per_post"),
        price_currency_codes=currency_encoded.indices.to_numpy(zero_copy_only=False).astype(
            np.int64
        ),
        price_currencies=tuple(str(code) for code in currency_encoded.dictionary.to_pylist()),
        as_of_days=(
            date_days(accounts["metrics_as_of"])
            if "metrics_as_of" in accounts.columns
            else np.full(len(accounts), np.nan)
        ),
    )
