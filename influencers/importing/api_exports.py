"""Recorded platform API responses (JSON) as canonical rows.

Supported, detected from the document itself:

- ``instagram_graph``: Graph API ``business_discovery`` — the profile fields
  (``username``, ``followers_count``, ``follows_count``, ``media_count``…) and/or pages of
  ``media`` (``like_count``, ``comments_count`` per post).
- ``youtube_channels``: Data API v3 ``channels.list`` (counts are JSON strings;
  ``hiddenSubscriberCount: true`` makes followers unknown, with a warning).
- ``youtube_videos``: Data API v3 ``videos.list`` (per-video statistics as strings;
  ``dislikeCount`` and ``favoriteCount`` are ignored; a missing ``likeCount`` or
  ``commentCount`` is unknown for that video).
- ``tiktok_user_info`` / ``tiktok_videos``: Research API user info and video query. The
  envelope's ``error.code`` must be ``"ok"``, else the file is refused. Neither response names
  the account, so pass ``handle=`` (the username the request was made for).

Per-post data becomes account averages and medians over the posts in the files (each post
counted once, by id). Several files of one account import together — profile plus media
pages, channels plus videos, user info plus videos — matched by the account's id (or, for
TikTok, by handle); an account the files name only by its id can take the handle a
``find_handles`` look-up knows for it (an account imported earlier). Post ids are kept as
text and JSON is parsed without floats (``parse_float=Decimal``; integers are Python ints),
so a 64-bit id such as TikTok's ``702874395068494965`` keeps every digit.

Hidden Instagram likes: a post whose ``like_count`` is missing, or 0 while it has comments,
had its likes hidden by the owner — its likes are unknown (left out of the averages), never 0.

``line`` in the error report is the account's 1-based number in the import; ``column`` is
the file and JSON path of the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from . import values
from .canonical import frame_from_records
from .error_report import ERROR, WARNING, error_frame
from .exceptions import ImportFileError, ValueParseError
from .readers import SOURCE_LINE, Source, open_source

API_FORMATS = (
    "instagram_graph",
    "youtube_channels",
    "youtube_videos",
    "tiktok_user_info",
    "tiktok_videos",
)
POST_COLUMNS = (
    "platform",
    "account_key",
    "post_id",
    "published_at",
    "likes",
    "comments",
    "shares",
    "saves",
    "views",
)
# Where the numbers of each platform's exports come from: the default source of an import.
API_SOURCES = {
    "instagram": "Instagram Graph API",
    "youtube": "YouTube Data API",
    "tiktok": "TikTok Research API",
}
# (platform, external ids) -> {external id: handle} of the accounts known elsewhere.
FindHandles = Callable[[str, list[str]], Mapping[str, str]]
# Platforms whose exports may name an account only by its id (TikTok's name it by handle).
_NAMED_BY_ID = frozenset({"instagram", "youtube"})
_TIKTOK_USER_FIELDS = frozenset(
    {"follower_count", "following_count", "likes_count", "video_count", "display_name"}
)


@dataclass
class _Account:
    platform: str
    key: str
    fields: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiExport:
    """One recorded response: its accounts, its posts, the problems and notes it raised."""

    format: str
    name: str
    accounts: list[_Account] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str, str, object, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(
        self, key: str, path: str, field_name: str, value: object, reason: str, severity: str
    ) -> None:
        """Record a problem of the account ``key`` (its line is known once accounts merge)."""
        self.problems.append((key, f"{self.name}: {path}", field_name, value, reason, severity))

    def count(self, key: str, raw: object, path: str, field_name: str) -> int | None:
        """A JSON count (an int, or a string as YouTube sends them), strictly."""
        if raw is None:
            return None
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
                raise ValueParseError("not a number")
            return values.parse_count(str(raw))
        except ValueParseError as error:
            self.problem(key, path, field_name, raw, error.reason, ERROR)
            return None

    def post_counts(
        self, key: str, statistics: Mapping[str, Any], path: str, **names: str
    ) -> dict[str, int | None]:
        """One post's counts, ``{metric: count}`` for each ``metric=JSON name`` given; a
        problem is filed under the metric's average (``likes`` → ``avg_likes``)."""
        return {
            metric: self.count(key, statistics.get(name), f"{path}.{name}", f"avg_{metric}")
            for metric, name in names.items()
        }


# --- loading -------------------------------------------------------------------------------


def load_json(source: Source) -> tuple[Any, str]:
    """Parse a JSON file without floats; returns the document and the file's name."""
    stream, name = open_source(source)
    with stream:
        raw = stream.read()
    if isinstance(source, str | Path):
        name = Path(source).name
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{name} is not UTF-8 JSON") from error
    try:
        return json.loads(text, parse_float=Decimal), name
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{name} is not valid JSON ({error.msg} at line {error.lineno})"
        ) from error


def _refuse_error_envelope(document: dict[str, Any], name: str) -> None:
    error = document.get("error")
    if not isinstance(error, dict):
        return
    code = error.get("code")
    if code == "ok":
        return
    message = str(error.get("message") or "").strip() or "no message"
    if "data" in document:
        vendor = "TikTok"
    elif "business_discovery" in document or "type" in error:
        vendor = "Instagram Graph"
    else:
        vendor = "YouTube" if "errors" in error else "platform"
    raise ImportFileError(f"{name}: the {vendor} API reported error {code!r}: {message}")


def detect_api_format(document: Any) -> str | None:
    """Which API response a JSON document is, or None when it is none we know."""
    if not isinstance(document, dict):
        return None
    if "business_discovery" in document:
        return "instagram_graph"
    kind = document.get("kind")
    items = document.get("items")
    if kind is None and isinstance(items, list) and items and isinstance(items[0], dict):
        kind = {"youtube#channel": "youtube#channelListResponse"}.get(
            items[0].get("kind"), "youtube#videoListResponse"
        )
    if kind == "youtube#channelListResponse":
        return "youtube_channels"
    if kind == "youtube#videoListResponse":
        return "youtube_videos"
    data = document.get("data")
    if isinstance(data, dict) and "error" in document:
        if isinstance(data.get("videos"), list):
            return "tiktok_videos"
        if _TIKTOK_USER_FIELDS & set(data):
            return "tiktok_user_info"
    return None


def read_api_export(
    source: Source,
    *,
    format: str | None = None,
    handle: str | None = None,
) -> ApiExport:
    """Read one recorded API response. ``handle`` names the account of a TikTok export."""
    document, name = load_json(source)
    if isinstance(document, dict):
        _refuse_error_envelope(document, name)
    detected = detect_api_format(document)
    if format is not None and detected is not None and detected != format:
        raise ImportFileError(f"{name} is a {detected} export, not {format}")
    kind = format or detected
    if kind is None or kind not in API_FORMATS:
        raise ImportFileError(f"{name} is JSON but not an API export this importer knows")
    export = ApiExport(kind, name)
    reader = {
        "instagram_graph": _instagram,
        "youtube_channels": _youtube_channels,
        "youtube_videos": _youtube_videos,
        "tiktok_user_info": _tiktok_user_info,
        "tiktok_videos": _tiktok_videos,
    }[kind]
    try:
        reader(export, document, handle)
    except (KeyError, TypeError, AttributeError) as error:
        raise ImportFileError(f"{name} does not have the shape of a {kind} response") from error
    return export


# --- one reader per response ---------------------------------------------------------------


def _handle(export: ApiExport, key: str, raw: object, path: str) -> str | None:
    try:
        return values.parse_handle(raw)
    except ValueParseError as error:
        export.problem(key, path, "handle", raw, error.reason, ERROR)
        return None


def _instagram(export: ApiExport, document: dict[str, Any], handle: str | None) -> None:
    profile = document["business_discovery"]
    key = str(profile.get("id") or document.get("id") or "")
    base = "business_discovery"
    profile_fields = {"username", "followers_count", "follows_count", "media_count", "name"}
    if profile_fields & set(profile):
        name = _handle(export, key, profile.get("username"), f"{base}.username")
        account = _Account("instagram", key)
        account.fields = {
            "handle": name,
            "display_name": values.parse_text(profile.get("name")),
            "external_id": values.parse_external_id(profile.get("id")),
            "bio": values.parse_text(profile.get("biography")),
            "url": f"https://www.instagram.com/{name}/" if name else None,
            "followers": export.count(
                key, profile.get("followers_count"), f"{base}.followers_count", "followers"
            ),
            "following": export.count(
                key, profile.get("follows_count"), f"{base}.follows_count", "following"
            ),
            "posts": export.count(key, profile.get("media_count"), f"{base}.media_count", "posts"),
        }
        export.accounts.append(account)
    media = profile.get("media")
    if media is None:
        return
    hidden = 0
    for index, post in enumerate(media["data"]):
        path = f"{base}.media.data[{index}]"
        counts = export.post_counts(key, post, path, likes="like_count", comments="comments_count")
        if post.get("like_count") is None or (
            counts["likes"] == 0 and (counts["comments"] or 0) > 0
        ):
            counts["likes"] = None
            hidden += 1
        export.posts.append(
            {
                "platform": "instagram",
                "account_key": key,
                "post_id": str(post["id"]),
                "published_at": _timestamp(export, key, post.get("timestamp"), path),
                **counts,
                "views": None,
            }
        )
    if hidden:
        export.notes.append(
            f"{export.name}: {hidden} post(s) hide their likes (0 or no like_count while "
            "commented): their likes are unknown, not 0."
        )


def _timestamp(export: ApiExport, key: str, raw: object, path: str) -> datetime | None:
    try:
        return values.parse_timestamp(raw)
    except ValueParseError as error:
        export.problem(key, f"{path}.timestamp", "posts", raw, error.reason, WARNING)
        return None


def _youtube_channels(export: ApiExport, document: dict[str, Any], handle: str | None) -> None:
    for index, item in enumerate(document.get("items") or []):
        path = f"items[{index}]"
        key = str(item["id"])
        snippet = item.get("snippet") or {}
        statistics = item.get("statistics") or {}
        custom_url = snippet.get("customUrl")
        followers = export.count(
            key,
            statistics.get("subscriberCount"),
            f"{path}.statistics.subscriberCount",
            "followers",
        )
        if statistics.get("hiddenSubscriberCount") is True:
            if followers is not None:
                export.problem(
                    key,
                    f"{path}.statistics.hiddenSubscriberCount",
                    "followers",
                    "true",
                    "the channel hides its subscriber count: unknown",
                    WARNING,
                )
            followers = None
        account = _Account("youtube", key)
        account.fields = {
            "handle": _handle(export, key, custom_url, f"{path}.snippet.customUrl"),
            "display_name": values.parse_text(snippet.get("title")),
            "external_id": key,
            "bio": values.parse_text(snippet.get("description")),
            "url": f"https://www.youtube.com/channel/{key}",
            "country": _code(export, key, values.parse_country, snippet.get("country"), path),
            "language": _code(
                export, key, values.parse_language, snippet.get("defaultLanguage"), path
            ),
            "followers": followers,
            "posts": export.count(
                key, statistics.get("videoCount"), f"{path}.statistics.videoCount", "posts"
            ),
        }
        export.accounts.append(account)


def _code(export: ApiExport, key: str, parse: Any, raw: object, path: str) -> str | None:
    try:
        return parse(raw)
    except ValueParseError as error:
        export.problem(key, f"{path}.snippet", "country", raw, error.reason, WARNING)
        return None


def _youtube_videos(export: ApiExport, document: dict[str, Any], handle: str | None) -> None:
    seen: set[str] = set()
    for index, item in enumerate(document.get("items") or []):
        path = f"items[{index}]"
        snippet = item.get("snippet") or {}
        statistics = item.get("statistics") or {}
        key = str(snippet.get("channelId") or "")
        if key not in seen:
            seen.add(key)
            account = _Account("youtube", key)
            account.fields = {
                "external_id": key or None,
                "display_name": values.parse_text(snippet.get("channelTitle")),
            }
            export.accounts.append(account)
        export.posts.append(
            {
                "platform": "youtube",
                "account_key": key,
                "post_id": str(item["id"]),
                "published_at": _timestamp(export, key, snippet.get("publishedAt"), path),
                **export.post_counts(
                    key,
                    statistics,
                    f"{path}.statistics",
                    likes="likeCount",
                    comments="commentCount",
                    views="viewCount",
                ),
            }
        )


def _tiktok_key(export: ApiExport, raw: object, handle: str | None) -> str:
    name = _handle(export, "", raw, "username") if raw is not None else None
    if name is None and handle is not None:
        name = _handle(export, "", handle, "handle")
    return name or ""


def _tiktok_user_info(export: ApiExport, document: dict[str, Any], handle: str | None) -> None:
    data = document["data"]
    key = _tiktok_key(export, data.get("username"), handle)
    account = _Account("tiktok", key)
    account.fields = {
        "handle": key or None,
        "display_name": values.parse_text(data.get("display_name")),
        "bio": values.parse_text(data.get("bio_description")),
        "url": f"https://www.tiktok.com/@{key}" if key else None,
        "followers": export.count(
            key, data.get("follower_count"), "data.follower_count", "followers"
        ),
        "following": export.count(
            key, data.get("following_count"), "data.following_count", "following"
        ),
        "posts": export.count(key, data.get("video_count"), "data.video_count", "posts"),
    }
    export.accounts.append(account)


def _tiktok_videos(export: ApiExport, document: dict[str, Any], handle: str | None) -> None:
    seen: set[str] = set()
    for index, video in enumerate(document["data"]["videos"]):
        path = f"data.videos[{index}]"
        key = _tiktok_key(export, video.get("username"), handle)
        if key not in seen:
            seen.add(key)
            account = _Account("tiktok", key)
            account.fields = {"handle": key or None}
            export.accounts.append(account)
        video_id = video.get("id", video.get("video_id"))
        if isinstance(video_id, Decimal | bool) or video_id is None:
            export.problem(key, f"{path}.video_id", "posts", video_id, "not an integer id", ERROR)
            continue
        created = video.get("create_time")
        export.posts.append(
            {
                "platform": "tiktok",
                "account_key": key,
                "post_id": str(video_id),
                "published_at": (
                    datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None
                ),
                **export.post_counts(
                    key,
                    video,
                    path,
                    likes="like_count",
                    comments="comment_count",
                    shares="share_count",
                    views="view_count",
                ),
            }
        )


# --- combining exports ---------------------------------------------------------------------


def posts_frame(exports: Iterable[ApiExport]) -> pd.DataFrame:
    """Every post of the exports, one row per post id (the first occurrence is kept)."""
    rows = [post for export in exports for post in export.posts]
    frame = pd.DataFrame({column: [row.get(column) for row in rows] for column in POST_COLUMNS})
    frame = frame.astype(
        {
            "platform": "string[pyarrow]",
            "account_key": "string[pyarrow]",
            "post_id": "string[pyarrow]",
            **dict.fromkeys(("likes", "comments", "shares", "saves", "views"), "Int64"),
        }
    )
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame.drop_duplicates(["platform", "post_id"], keep="first").reset_index(drop=True)


_POST_METRICS = (
    ("likes", "avg_likes", "median_likes"),
    ("comments", "avg_comments", "median_comments"),
    ("shares", "avg_shares", None),
    ("saves", "avg_saves", None),
    ("views", "avg_views", "median_views"),
)


def _name_by_id(accounts: Mapping[tuple[str, str], _Account], find_handles: FindHandles) -> int:
    """Give the accounts the files name only by id the handle known for that id; returns how
    many were found (one look-up per platform)."""
    unnamed: dict[str, list[_Account]] = {}
    for (platform, key), account in accounts.items():
        if account.fields.get("handle") is None and key and platform in _NAMED_BY_ID:
            unnamed.setdefault(platform, []).append(account)
    found = 0
    for platform, group in unnamed.items():
        handles = find_handles(platform, [account.key for account in group])
        for account in group:
            handle = handles.get(account.key)
            if handle:
                account.fields["handle"] = handle
                found += 1
    return found


def combine_exports(
    exports: Sequence[ApiExport], *, as_of: date, find_handles: FindHandles | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """Merge exports into canonical rows: ``(frame, problems, posts, notes)``.

    Accounts are matched by platform and id (TikTok: handle); the values of a later file fill
    what an earlier one left unknown, and posts become averages and medians. An account the
    files name only by its id (videos.list, media pages without their profile) takes the
    handle ``find_handles`` knows for that id, if any.
    """
    accounts: dict[tuple[str, str], _Account] = {}
    for export in exports:
        for account in export.accounts:
            merged = accounts.setdefault((account.platform, account.key), account)
            if merged is not account:
                for name, value in account.fields.items():
                    if merged.fields.get(name) is None:
                        merged.fields[name] = value
    posts = posts_frame(exports)
    for platform, key in (
        posts[["platform", "account_key"]].drop_duplicates().itertuples(index=False)
    ):
        if (platform, key) not in accounts:  # media pages without their profile
            accounts[(platform, key)] = _Account(platform, key, {"external_id": key or None})
    notes = [note for export in exports for note in export.notes]
    duplicated = sum(len(export.posts) for export in exports) - len(posts)
    if duplicated:
        notes.append(f"{duplicated} post(s) appear more than once: each is counted once.")
    found = _name_by_id(accounts, find_handles) if find_handles is not None else 0
    if found:
        notes.append(
            f"{found} account(s) that these files name only by their platform id were matched "
            "to accounts already imported with that id."
        )
    lines = {key: number for number, key in enumerate(accounts, start=1)}
    records = []
    for (platform, key), account in accounts.items():
        record = {**account.fields, "platform": platform, "as_of": as_of}
        mine = posts[(posts["platform"] == platform) & (posts["account_key"] == key)]
        for column, average, median in _POST_METRICS:
            known = mine[column].dropna()
            if len(known):
                record[average] = float(known.astype("float64").mean())
                if median is not None:
                    record[median] = float(known.astype("float64").median())
        record[SOURCE_LINE] = lines[(platform, key)]
        records.append(record)
    frame = frame_from_records(records)
    unnamed = [
        (lines[(platform, key)], "handle", "handle", None, _UNNAMED[platform], ERROR)
        for (platform, key), account in accounts.items()
        if account.fields.get("handle") is None
    ]
    problems = error_frame(
        [
            *(
                (lines.get((format_platform(export.format), key)), path, name, value, reason, level)
                for export in exports
                for key, path, name, value, reason, level in export.problems
            ),
            *unnamed,
        ]
    )
    return frame, problems, posts, notes


_UNNAMED = {
    "instagram": "the export does not name the account: import the media pages together with "
    "(or after) the business_discovery profile response",
    "youtube": "the export does not name the channel: import videos.list together with "
    "(or after) channels.list",
    "tiktok": "the TikTok API response does not name the account: give its handle",
}


def format_platform(format: str) -> str:
    """The platform of an API format: ``youtube_videos`` → ``youtube``."""
    return format.split("_")[0]


def api_source(documents: Iterable[Any]) -> str | None:
    """The API that parsed JSON documents come from ("YouTube Data API"), when they are all
    exports of one platform's API; None otherwise."""
    platforms = set()
    for document in documents:
        kind = detect_api_format(document)
        if kind is None:
            return None
        platforms.add(format_platform(kind))
    return API_SOURCES[platforms.pop()] if len(platforms) == 1 else None
