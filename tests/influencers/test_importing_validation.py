"""Validation rules: a row with any error is rejected whole, with one report line per bad cell."""

from datetime import date

import pandas as pd

from influencers.importing.canonical import CANONICAL_COLUMNS, frame_from_records, to_canonical
from influencers.importing.error_report import ERROR_COLUMNS, error_frame
from influencers.importing.validation import DuplicateTracker, validate

TODAY = date(2025, 1, 15)


def account(line, **values):
    return {
        "platform": "instagram",
        "handle": f"user{line}",
        "as_of": date(2025, 1, 1),
        "source_line": line,
        **values,
    }


def report(errors):
    return [
        (row.line, row.field, row.reason, row.severity)
        for row in errors.astype(object).itertuples(index=False)
    ]


def test_clean_rows_pass_untouched():
    frame = frame_from_records([account(2, followers=100), account(3, followers=200)])
    good, errors = validate(frame, today=TODAY)
    assert list(good.columns) == list(CANONICAL_COLUMNS)
    assert good["followers"].tolist() == [100, 200]
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert errors.empty


def test_each_rule_rejects_its_row_with_a_reason():
    frame = frame_from_records(
        [
            account(2, followers=-1),
            account(3, followers=0, engagement_rate=0.02),
            account(4, engagement_rate=1.5),
            account(5, as_of=date(2025, 1, 16)),
            account(6, handle=None),
            account(7, platform=None),
            account(8, avg_likes=-3.0, audience_credibility=1.2),
            account(9, price_per_post="-10", price_currency="USD"),
            account(10, followers=0, engagement_rate=0.0),
        ]
    )
    good, errors = validate(frame, today=TODAY)
    assert good["source_line"].tolist() == [10]
    assert report(errors) == [
        (2, "followers", "negative", "error"),
        (3, "followers", "0 followers but an engagement rate", "error"),
        (4, "engagement_rate", "engagement rate above 100 %", "error"),
        (5, "as_of", "after today (2025-01-15)", "error"),
        (6, "handle", "missing handle", "error"),
        (7, "platform", "missing platform", "error"),
        (8, "avg_likes", "negative", "error"),
        (8, "audience_credibility", "above 100 %", "error"),
        (9, "price_per_post", "negative", "error"),
    ]


def test_a_price_without_currency_is_a_warning_and_the_row_lands():
    frame = frame_from_records([account(2, price_per_post="1500")])
    good, errors = validate(frame, today=TODAY)
    assert good["price_per_post"].tolist() == ["1500"]
    assert report(errors) == [
        (2, "price_per_post", "a price without a currency: its currency is unknown", "warning")
    ]


def test_parsing_problems_reject_their_rows_and_are_reported_once():
    raw = pd.DataFrame(
        {
            "Username": ["@ana", "https://example.com/x", "cy"],
            "Followers": ["3.3k", "10", "lots"],
            "Country": ["U.S.A", "Narnia", "India"],
            "source_line": [2, 3, 4],
        }
    )
    mapping = {"Username": "handle", "Followers": "followers", "Country": "country"}
    frame, problems = to_canonical(raw, mapping, platform="tiktok", as_of=TODAY)
    good, errors = validate(
        frame,
        today=TODAY,
        problems=problems,
        columns={"handle": "Username", "followers": "Followers", "country": "Country"},
    )
    assert good[["handle", "followers", "country"]].to_dict("records") == [
        {"handle": "ana", "followers": 3300, "country": "US"}
    ]
    assert errors.astype(object).to_dict("records") == [
        {
            "line": 3,
            "column": "Username",
            "field": "handle",
            "value": "https://example.com/x",
            "reason": "a link, not a handle",
            "severity": "error",
        },
        {
            "line": 3,
            "column": "Country",
            "field": "country",
            "value": "Narnia",
            "reason": "unknown country",
            "severity": "warning",
        },
        {
            "line": 4,
            "column": "Followers",
            "field": "followers",
            "value": "lots",
            "reason": "not a number",
            "severity": "error",
        },
    ]


def test_duplicates_keep_the_first_good_row_and_report_the_later_lines():
    frame = frame_from_records(
        [
            account(2, handle="ana", followers=1),
            account(3, handle="bo", followers=-5),  # rejected: does not hide line 5
            account(4, handle="ana", followers=2),
            account(5, handle="bo", followers=3),
            account(6, handle="ana", followers=4, as_of=date(2025, 1, 2)),  # another day
            account(7, handle="ana", followers=5, platform="tiktok"),  # another platform
        ]
    )
    good, errors = validate(frame, today=TODAY)
    assert good[["handle", "followers"]].to_dict("records") == [
        {"handle": "ana", "followers": 1},
        {"handle": "bo", "followers": 3},
        {"handle": "ana", "followers": 4},
        {"handle": "ana", "followers": 5},
    ]
    assert report(errors) == [
        (3, "followers", "negative", "error"),
        (4, "handle", "duplicate of line 2: same platform, handle and as_of date", "error"),
    ]


def test_duplicates_are_found_across_chunks():
    tracker = DuplicateTracker()
    first = frame_from_records([account(2, handle="ana"), account(3, handle="bo")])
    second = frame_from_records([account(4, handle="bo"), account(5, handle="cy")])
    validate(first, today=TODAY, duplicates=tracker)
    good, errors = validate(second, today=TODAY, duplicates=tracker)
    assert good["handle"].tolist() == ["cy"]
    assert errors["reason"].tolist() == [
        "duplicate of line 3: same platform, handle and as_of date"
    ]


def test_hidden_likes_become_unknown_with_a_warning():
    raw = pd.DataFrame(
        {
            "handle": ["ana", "bo", "cy"],
            "avg likes": ["0", "0", "12"],
            "avg comments": ["40", "0", "3"],
            "source_line": [2, 3, 4],
        }
    )
    mapping = {"handle": "handle", "avg likes": "avg_likes", "avg comments": "avg_comments"}
    frame, problems = to_canonical(raw, mapping, platform="instagram", as_of=TODAY)
    assert frame["avg_likes"].tolist() == [pd.NA, 0.0, 12.0]
    assert problems[["line", "column", "reason", "severity"]].to_dict("records") == [
        {
            "line": 2,
            "column": "avg likes",
            "reason": "0 likes with comments: the owner hides likes, so they are unknown",
            "severity": "warning",
        }
    ]


def test_a_price_symbol_fills_or_contradicts_the_currency():
    raw = pd.DataFrame(
        {
            "handle": ["ana", "bo", "cy"],
            "price": ["€250", "€250", "$100"],
            "currency": ["", "USD", ""],
            "source_line": [2, 3, 4],
        }
    )
    mapping = {"handle": "handle", "price": "price_per_post", "currency": "price_currency"}
    frame, problems = to_canonical(raw, mapping, platform="instagram", as_of=TODAY)
    assert frame["price_per_post"].tolist() == ["250", "250", "100"]
    assert frame["price_currency"].tolist() == ["EUR", "USD", pd.NA]
    assert problems[["line", "field", "value", "reason"]].to_dict("records") == [
        {
            "line": 3,
            "field": "price_currency",
            "value": "USD",
            "reason": "the price is marked EUR",
        }
    ]


def test_several_category_columns_are_merged():
    raw = pd.DataFrame(
        {
            "handle": ["ana", "bo"],
            "category_1": ["Fashion", ""],
            "category_2": ["Beauty", "Food"],
            "source_line": [2, 3],
        }
    )
    mapping = {"handle": "handle", "category_1": "categories", "category_2": "categories"}
    frame, problems = to_canonical(raw, mapping, platform="instagram", as_of=TODAY)
    assert frame["categories"].tolist() == ["fashion,beauty", "food"]
    assert problems.empty


def test_a_bare_percentage_column():
    raw = pd.DataFrame({"handle": ["ana", "bo"], "ER": ["16.6", "2%"], "source_line": [2, 3]})
    mapping = {"handle": "handle", "ER": "engagement_rate_percent"}
    frame, _ = to_canonical(raw, mapping, platform="instagram", as_of=TODAY)
    assert frame["engagement_rate"].tolist() == [0.166, 0.02]


def test_the_error_report_shape():
    errors = error_frame([(2, "Followers", "followers", "x" * 300, "not a number", "error")])
    assert list(errors.columns) == ["line", "column", "field", "value", "reason", "severity"]
    assert str(errors["line"].dtype) == "Int64"
    assert len(errors["value"].iloc[0]) == 200
    assert errors["value"].iloc[0].endswith("…")
