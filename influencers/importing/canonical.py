"""The canonical frame: one row per account snapshot, typed, whatever the file looked like.

``to_canonical(raw, mapping, platform=…, as_of=…)`` turns a chunk of text columns (as the
readers give them) into the canonical columns below and the problems found while parsing.
Problems of identity and metric columns are errors (the row will be rejected); problems of
descriptive columns (country, language, categories, e-mail, link, id) are warnings: the value
is dropped, the row is kept.

Columns and dtypes (the database half relies on these exact names):

=====================  =============  ===================================================
column                 dtype          meaning
=====================  =============  ===================================================
platform               string         instagram, tiktok, youtube, x, facebook, twitch,
                                      blog or podcast
handle                 string         normalised: no ``@``, NFC, casefolded, no spaces
display_name           string
external_id            string         the platform's id, always text
url                    string
bio                    string
country                string         ISO 3166-1 alpha-2
language               string         ISO 639-1
categories             string         lowercase, comma-separated, no repeats
contact_email          string
followers              Int64          exact
following              Int64          exact
posts                  Int64          exact
avg_likes …avg_views   Float64        likes, comments, shares, saves, views per post
median_likes…          Float64        median likes, comments, views (per-post data)
engagement_rate        Float64        a fraction: 1.39 % is 0.0139
audience_country       string         ISO 3166-1 alpha-2
audience_credibility   Float64        a fraction
price_per_post         string         an exact decimal, e.g. ``1500`` or ``99.99``
price_currency         string         ISO 4217
as_of                  date32         the date the metrics describe
source_line            int64          the line in the file where the row starts
=====================  =============  ===================================================

``string`` is ``pd.StringDtype("pyarrow")`` and every missing value is ``pd.NA``: unknown is
never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from . import column_parsers as parsers
from .aliases import CANONICAL_FIELDS, EXCLUDED, MULTI_SOURCE_FIELDS, PERCENT_TARGETS, field_of
from .error_report import ERROR, WARNING, error_frame
from .readers import SOURCE_LINE

STRING = parsers.STRING_DTYPE
CANONICAL_COLUMNS = (*CANONICAL_FIELDS, SOURCE_LINE)

COUNT_FIELDS = ("followers", "following", "posts")
AVERAGE_FIELDS = ("avg_likes", "avg_comments", "avg_shares", "avg_saves", "avg_views")
MEDIAN_FIELDS = ("median_likes", "median_comments", "median_views")
RATE_FIELDS = ("engagement_rate", "audience_credibility")
FLOAT_FIELDS = (*AVERAGE_FIELDS, *MEDIAN_FIELDS, *RATE_FIELDS)
# A problem in one of these drops the value (a warning); anywhere else it rejects the row.
DESCRIPTIVE_FIELDS = frozenset(
    {
        "display_name",
        "external_id",
        "url",
        "bio",
        "country",
        "language",
        "categories",
        "contact_email",
        "audience_country",
    }
)

CANONICAL_DTYPES: dict[str, object] = {
    **dict.fromkeys(CANONICAL_FIELDS, STRING),
    **dict.fromkeys(COUNT_FIELDS, "Int64"),
    **dict.fromkeys(FLOAT_FIELDS, "Float64"),
    "as_of": parsers.DATE_DTYPE,
    SOURCE_LINE: "int64",
}

_TEXT_PARSERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    "platform": parsers.parse_platform_series,
    "handle": parsers.parse_handle_series,
    "display_name": parsers.parse_text_series,
    "bio": parsers.parse_text_series,
    "external_id": parsers.parse_external_id_series,
    "url": parsers.parse_url_series,
    "country": parsers.parse_country_series,
    "audience_country": parsers.parse_country_series,
    "language": parsers.parse_language_series,
    "categories": parsers.parse_categories_series,
    "contact_email": parsers.parse_email_series,
    "price_currency": parsers.parse_currency_series,
    "as_of": parsers.parse_date_series,
}


def empty_column(field: str, size: int) -> pd.Series:
    """A column of NA with the field's canonical dtype."""
    dtype = CANONICAL_DTYPES[field]
    if field == "as_of":
        array: object = pd.arrays.ArrowExtensionArray(pa.nulls(size, pa.date32()))
    elif dtype == "Int64":
        array = pd.arrays.IntegerArray(np.zeros(size, np.int64), np.ones(size, dtype=bool))
    elif dtype == "Float64":
        array = pd.arrays.FloatingArray(np.zeros(size), np.ones(size, dtype=bool))
    elif dtype == "int64":
        array = np.zeros(size, dtype=np.int64)
    else:
        array = pd.arrays.ArrowStringArray(pa.nulls(size, pa.large_string()))
    return pd.Series(array, copy=False)


def empty_canonical_frame() -> pd.DataFrame:
    """A canonical frame without rows (every column with its dtype)."""
    return pd.DataFrame({column: empty_column(column, 0) for column in CANONICAL_COLUMNS})


def field_sources(mapping: Mapping[str, str | None]) -> dict[str, list[str]]:
    """For each canonical field, the headers that feed it (in file order)."""
    sources: dict[str, list[str]] = {}
    for header, target in mapping.items():
        field = field_of(target)
        if field is not None:
            sources.setdefault(field, []).append(header)
    return sources


def _joined_categories(raw: pd.DataFrame, headers: list[str]) -> pd.Series:
    """Several category columns read as one comma-separated list."""
    parts = [raw[header].fillna("").astype(str).str.strip() for header in headers]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.where(part == "", joined + "," + part).where(joined != "", part)
    return joined


def to_canonical(
    raw: pd.DataFrame,
    mapping: Mapping[str, str | None],
    *,
    platform: str | None = None,
    as_of: date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse a chunk of text columns into the canonical frame and its parsing problems.

    ``mapping`` maps headers to mapping targets (see ``aliases``); ``platform`` and ``as_of``
    fill the rows whose own cell is empty (or all rows, when no column holds them).
    """
    size = len(raw)
    lines = raw[SOURCE_LINE].to_numpy(dtype=np.int64)
    sources = field_sources(
        {header: target for header, target in mapping.items() if target != EXCLUDED}
    )
    percent_headers = {header for header, target in mapping.items() if target in PERCENT_TARGETS}
    columns: dict[str, pd.Series] = {}
    problem_frames: list[pd.DataFrame] = []

    def record(field: str, header: str, cells: pd.Series, problems: pd.Series) -> None:
        if not len(problems):
            return
        positions = raw.index.get_indexer(problems.index)
        severity = WARNING if field in DESCRIPTIVE_FIELDS else ERROR
        problem_frames.append(
            error_frame(
                zip(
                    lines[positions].tolist(),
                    [header] * len(problems),
                    [field] * len(problems),
                    cells.iloc[positions].tolist(),
                    problems.tolist(),
                    [severity] * len(problems),
                    strict=True,
                )
            )
        )

    for field in CANONICAL_FIELDS:
        headers = sources.get(field, [])
        if not headers:
            continue
        if len(headers) > 1 and field not in MULTI_SOURCE_FIELDS:
            raise ValueError(f"several columns map to {field}: {', '.join(headers)}")
        header = " + ".join(headers)
        cells = raw[headers[0]] if len(headers) == 1 else _joined_categories(raw, headers)
        if field in COUNT_FIELDS:
            values, problems = parsers.parse_count_series(cells)
        elif field in RATE_FIELDS:
            values, problems = parsers.parse_fraction_series(
                cells, bare_is_percent=headers[0] in percent_headers
            )
        elif field in FLOAT_FIELDS:
            values, problems = parsers.parse_decimal_series(cells)
        elif field == "price_per_post":
            values, symbol_currencies, problems = parsers.parse_price_series(cells)
            columns["_symbol_currency"] = symbol_currencies
        else:
            values, problems = _TEXT_PARSERS[field](cells)
        columns[field] = values.reset_index(drop=True)
        record(field, header, cells, problems)

    frame = pd.DataFrame(
        {
            field: columns[field] if field in columns else empty_column(field, size)
            for field in CANONICAL_FIELDS
        }
    )
    frame[SOURCE_LINE] = lines
    if "_symbol_currency" in columns:
        problem_frames.append(_reconcile_currency(frame, columns["_symbol_currency"], sources))
    if platform is not None:
        frame["platform"] = frame["platform"].fillna(platform)
    if as_of is not None:
        frame["as_of"] = frame["as_of"].fillna(pd.Timestamp(as_of).date())
    problem_frames.append(_hidden_likes_are_unknown(frame, sources))
    problems = [frame for frame in problem_frames if len(frame)]
    return frame, (pd.concat(problems, ignore_index=True) if problems else error_frame())


def _reconcile_currency(
    frame: pd.DataFrame, symbol_currency: pd.Series, sources: Mapping[str, list[str]]
) -> pd.DataFrame:
    """A price's own symbol (``€250``) fills price_currency; a contradiction is an error."""
    symbol_currency = symbol_currency.reset_index(drop=True)
    stated = frame["price_currency"]
    conflict = stated.notna() & symbol_currency.notna() & (stated != symbol_currency)
    frame["price_currency"] = stated.fillna(symbol_currency)
    if not conflict.any():
        return error_frame()
    header = " + ".join(sources.get("price_currency", ["price_currency"]))
    rows = frame.loc[conflict.fillna(False)]
    return error_frame(
        (line, header, "price_currency", currency, f"the price is marked {symbol}", ERROR)
        for line, currency, symbol in zip(
            rows[SOURCE_LINE], rows["price_currency"], symbol_currency[rows.index], strict=True
        )
    )


def _hidden_likes_are_unknown(
    frame: pd.DataFrame, sources: Mapping[str, list[str]]
) -> pd.DataFrame:
    """0 average likes next to comments means the owner hides likes: unknown, not zero."""
    hidden = (frame["avg_likes"] == 0) & (frame["avg_comments"] > 0)
    hidden = hidden.fillna(False)
    if not hidden.any():
        return error_frame()
    header = " + ".join(sources.get("avg_likes", ["avg_likes"]))
    frame.loc[hidden, "avg_likes"] = pd.NA
    reason = "0 likes with comments: the owner hides likes, so they are unknown"
    return error_frame(
        (line, header, "avg_likes", "0", reason, WARNING)
        for line in frame.loc[hidden, SOURCE_LINE].tolist()
    )


def frame_from_records(records: list[dict[str, object]]) -> pd.DataFrame:
    """A canonical frame from already-typed values (API exports), NA where a key is absent."""
    size = len(records)
    frame = pd.DataFrame(
        {
            column: (
                pd.Series([record.get(column) for record in records], dtype=object)
                if any(record.get(column) is not None for record in records)
                else empty_column(column, size)
            )
            for column in CANONICAL_COLUMNS
        }
    )
    for column in CANONICAL_COLUMNS:
        if column == "as_of":
            dates = pa.array(frame[column].tolist(), type=pa.date32())
            frame[column] = pd.arrays.ArrowExtensionArray(dates)
        else:
            frame[column] = frame[column].astype(CANONICAL_DTYPES[column])
    return frame
