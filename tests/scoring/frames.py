"""Frames the scoring tests build (small literal engine inputs) or read (stored scores).

The engine's own column lists (scoring.engine.inputs) name the columns, so a new input
column reaches every test the same way. Django is imported only by `stored_scores`: the
engine tests also run without it.
"""

import pandas as pd

from scoring.engine.inputs import NUMERIC_ACCOUNT_COLUMNS, RELATIONSHIP_COLUMNS

FLOAT_COLUMNS = [name for name in NUMERIC_ACCOUNT_COLUMNS if name != "followers"]
COLUMN_TYPES = {
    "followers": "Int64",
    "influencer_id": "Int64",
    **dict.fromkeys(FLOAT_COLUMNS, "float64"),
}
ACCOUNT_DEFAULTS = {
    "influencer_id": None,
    "platform": "instagram",
    **dict.fromkeys(NUMERIC_ACCOUNT_COLUMNS),
    "price_currency": "USD",
    "metrics_as_of": None,
    "categories": "",
    "bio": "",
    "country": None,
    "language": None,
}
RELATIONSHIP_DEFAULTS = {
    "stage": "none",
    "is_advocate": False,
    "contacted": 0,
    "replied": 0,
    "collaborated": 0,
    "delivered": 0,
    "declined": 0,
    "last_event_on": None,
}


def account_frame(records: list[dict]) -> pd.DataFrame:
    """Account rows as the engine takes them: dates as datetimes, numbers typed."""
    frame = pd.DataFrame.from_records(records)
    if "metrics_as_of" in frame.columns:
        frame["metrics_as_of"] = pd.to_datetime(frame["metrics_as_of"])
    return frame.astype({name: kind for name, kind in COLUMN_TYPES.items() if name in frame})


def accounts(*rows: dict) -> pd.DataFrame:
    """Accounts 1, 2, … with every column, unknown (or empty text) unless a row says."""
    return account_frame(
        [{**ACCOUNT_DEFAULTS, "account_id": index + 1, **row} for index, row in enumerate(rows)]
    )


def relationship_frame(records: list[dict]) -> pd.DataFrame:
    """Relationship rows with every column (unknown unless given)."""
    frame = pd.DataFrame.from_records(records, columns=list(RELATIONSHIP_COLUMNS))
    frame["last_event_on"] = pd.to_datetime(frame["last_event_on"])
    return frame


def relationships(*rows: dict) -> pd.DataFrame:
    """Relationship rows: stage none, no events, unless a row says."""
    return relationship_frame([{**RELATIONSHIP_DEFAULTS, **row} for row in rows])


def stored_scores(ranking) -> pd.DataFrame:
    """A ranking's stored rows by account id, without the ranking id."""
    from scoring import services

    frame = services.scores_frame(ranking)
    return frame.drop(columns=["ranking_id"]).set_index("account_id").sort_index()
