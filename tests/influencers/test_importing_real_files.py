"""Every real export in ../shared/data/real goes through prepare(), with the right spot values."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from influencers.importing import CANONICAL_COLUMNS, prepare, read_all

REAL = Path(__file__).resolve().parents[3] / "shared/data/real"
TODAY = date(2025, 1, 15)
# What we know of each file (its name is not evidence for the importer, but it is for us).
PLATFORMS = {"ig": "instagram", "tt": "tiktok", "yt": "youtube"}
CSV_FILES = sorted((REAL / "csv").glob("*.csv"))
API_FILES = sorted((REAL / "api").glob("*.json"))


def import_csv(name, **options):
    path = REAL / "csv" / name
    prepared = prepare(path, today=TODAY, platform=PLATFORMS[name[:2]], **options)
    good, errors = read_all(prepared)
    return prepared, good, errors


def by_handle(good, handle):
    rows = good[good["handle"] == handle]
    assert len(rows) == 1, handle
    return rows.iloc[0]


def duplicate_report(errors):
    duplicates = errors[errors["reason"].str.startswith("duplicate")]
    return [
        (line, value, int(reason.split()[3].rstrip(":")))
        for line, value, reason in duplicates[["line", "value", "reason"]].itertuples(index=False)
    ]


def test_the_shared_data_is_there():
    assert len(CSV_FILES) == 5
    assert len(API_FILES) == 7


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda path: path.name)
def test_every_csv_file_imports(path):
    prepared = prepare(path, today=TODAY, platform=PLATFORMS[path.name[:2]])
    good, errors = read_all(prepared)
    assert list(good.columns) == list(CANONICAL_COLUMNS)
    assert len(good) >= 200
    assert good["handle"].notna().all()
    assert (good["platform"] == PLATFORMS[path.name[:2]]).all()
    assert set(errors["severity"]) <= {"error", "warning"}


@pytest.mark.parametrize("path", API_FILES, ids=lambda path: path.name)
def test_every_api_file_imports(path):
    good, errors = read_all(prepare(path, today=TODAY, handle="recorded_account"))
    assert len(good) + errors["line"].nunique() >= 1


def test_instagram_top_200_spot_values():
    prepared, good, errors = import_csv("ig_top200__top_insta_influencers_data.csv")
    assert prepared.encoding == "utf-8-sig"
    assert len(good) == 200
    cristiano = by_handle(good, "cristiano")
    assert cristiano["followers"] == 475_800_000
    assert cristiano["posts"] == 3_300
    assert cristiano["avg_likes"] == 8_700_000.0
    assert cristiano["engagement_rate"] == 0.0139
    assert cristiano["country"] == "ES"
    assert cristiano["source_line"] == 2
    messi = by_handle(good, "leomessi")
    assert messi["posts"] == 890  # 0.89k, exactly
    assert pd.isna(messi["country"])  # a blank country is unknown
    assert by_handle(good, "hrithikroshan")["country"] == "CI"  # mojibake "CÃ´te d'Ivoire"
    rkive = by_handle(good, "rkive")  # the NaN% row
    assert pd.isna(rkive["engagement_rate"])
    assert rkive["followers"] == 37_000_000
    assert "new_post_avg_like" not in good.columns  # 0 for hidden likes: not imported
    assert errors.empty


def test_tiktok_2022_keeps_the_numeric_copy_of_duplicated_columns():
    prepared, good, errors = import_csv("tt_sm2022__VARIANT_dupcols_display_plus_numeric.csv")
    assert prepared.platform == "tiktok"
    assert prepared.mapping["Subscribers count"] == "followers"
    assert prepared.notes[0] == (
        "Column 'Subscribers count' appears 2 times: kept column 4 (its values are plain "
        "numbers), ignored column 3."
    )
    ekin = by_handle(good, "ekin.721")
    assert ekin["followers"] == 221_700
    assert ekin["display_name"] == "MOMO’s"
    assert (ekin["avg_views"], ekin["avg_likes"]) == (26_000_000.0, 2_800_000.0)
    assert (ekin["avg_comments"], ekin["avg_shares"]) == (29_400.0, 116_400.0)
    assert duplicate_report(errors) == [
        (52, "conormaynard", 51),
        (54, "terryreloaded", 46),
        (202, "k1lauea", 199),
        (203, "noreportar08", 200),
        (204, "elrodcontreras", 201),
        (302, "arigameplays", 300),
        (303, "tommyinnit", 301),
        (328, "cleanpuppy", 81),
        (502, "monabouchon_", 501),
        (602, "juandaniel.ibarra", 601),
        (952, "zhenyalavrik", 949),
        (953, "teukuryantr", 950),
        (954, "jamescharles", 951),
    ]
    assert len(good) == 1000 - 13
    assert (errors["severity"] == "error").all()


def test_tiktok_top_250_drops_protected_traits_and_reads_us_countries():
    prepared, good, errors = import_csv("tt_top256_2020__top-250-tiktokers.csv")
    assert prepared.excluded == ["Gender", "Age", "Ethnicity", "LGBTQ"]
    assert [column["status"] for column in prepared.columns() if column["header"] == "Age"] == [
        "protected: never imported"
    ]
    assert len(good) == 256
    text = good.astype(str).to_numpy().ravel().tolist()
    assert not {"Female", "Male", "White", "East Asian", "Latinx"} & set(text)
    charli = by_handle(good, "charlidamelio")
    assert charli["country"] == "US"  # U.S.A
    assert charli["followers"] == 78_900_000
    assert charli["engagement_rate"] == 0.166  # 16.60%
    assert charli["categories"] == "dancing,lipsyncing,lifestyle"
    assert by_handle(good, "zachking")["engagement_rate"] == 0.16  # 16%
    assert by_handle(good, "lorengray")["avg_likes"] == 622_600.0
    assert errors.empty


def test_youtube_2022_reads_mixed_suffixes_and_reports_duplicates():
    prepared, good, errors = import_csv("yt_sm2022__social_media_influencers_youtube.csv")
    assert prepared.platform == "youtube"
    tseries = by_handle(good, "tseries")
    assert tseries["followers"] == 212_100_000
    assert tseries["display_name"] == "T-Series"
    assert tseries["audience_country"] == "IN"
    assert (tseries["avg_views"], tseries["avg_likes"], tseries["avg_comments"]) == (
        323_700.0,
        9_800.0,
        290.0,
    )
    cocomelon = by_handle(good, "checkgate")
    assert pd.isna(cocomelon["avg_comments"]) and pd.isna(cocomelon["audience_country"])
    assert by_handle(good, "setindia")["avg_likes"] == 314.0  # a bare number beside 9.8K
    assert duplicate_report(errors) == [(552, "etvjabardasth", 551), (560, "prestonplayz", 225)]
    assert len(good) == 998


def test_youtube_top_1000_reads_grouped_numbers_and_drops_links_from_categories():
    prepared, good, errors = import_csv("yt_top1000__topSubscribed_commas.csv")
    assert prepared.mapping["Video Views"] is None
    tseries = by_handle(good, "t-series")
    assert tseries["followers"] == 234_000_000  # "234,000,000"
    assert tseries["posts"] == 18_515  # "18,515"
    music = by_handle(good, "music")
    assert (music["followers"], music["posts"]) == (118_000_000, 0)
    assert pd.isna(music["categories"])
    warnings = errors[errors["severity"] == "warning"]
    assert len(warnings) == 30
    assert set(warnings["reason"]) == {"a link, not a category"}
    assert warnings["line"].iloc[0] == 7
    assert duplicate_report(errors) == [(582, "bollywoodclassics", 118)]
    assert len(good) == 999
