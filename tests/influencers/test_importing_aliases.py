"""The alias table: headers of real exports map to canonical columns; protected traits never."""

import re
from pathlib import Path

import pytest

from influencers.importing import aliases
from influencers.importing.aliases import EXCLUDED, detect_mapping, infer_platform

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Views avg.", "views avg"),
        ("60_day_eng_rate", "60 day eng rate"),
        ("Engagement Rate (%)", "engagement rate percent"),
        ("followersCount", "followers count"),
        ("TikTok handle", "tiktok handle"),
        ("YouTube subscribers", "youtube subscribers"),
        ("You Tube", "youtube"),
        ("  Audience\nCountry ", "audience country"),
        ("Catégorie", "categorie"),
    ],
)
def test_header_key_ignores_case_punctuation_and_camel_case(header, key):
    assert aliases.header_key(header) == key


def test_instagram_top_200_headers():
    headers = ["rank", "channel_info", "influence_score", "posts", "followers", "avg_likes"]
    headers += ["60_day_eng_rate", "new_post_avg_like", "total_likes", "country"]
    assert detect_mapping(headers) == {
        "rank": None,
        "channel_info": "handle",
        "influence_score": None,
        "posts": "posts",
        "followers": "followers",
        "avg_likes": "avg_likes",
        "60_day_eng_rate": "engagement_rate",
        "new_post_avg_like": None,
        "total_likes": None,
        "country": "country",
    }
    assert infer_platform(headers) is None


def test_tiktok_top_250_headers_exclude_protected_traits():
    headers = ["Rank", "Username", "Country", "Followers", "Views", "Likes", "Engagement"]
    headers += ["Brand Account", "Gender", "Age", "Ethnicity", "Famous", "Genre", "LGBTQ"]
    mapping = detect_mapping(headers)
    assert mapping == {
        "Rank": None,
        "Username": "handle",
        "Country": "country",
        "Followers": "followers",
        "Views": "avg_views",
        "Likes": "avg_likes",
        "Engagement": "engagement_rate",
        "Brand Account": None,
        "Gender": EXCLUDED,
        "Age": EXCLUDED,
        "Ethnicity": EXCLUDED,
        "Famous": None,
        "Genre": "categories",
        "LGBTQ": EXCLUDED,
    }


def test_youtube_and_tiktok_2022_headers_and_their_platform():
    youtube = ["youtuber name", "channel name", "Category", "Subscribers", "Audience Country"]
    youtube += ["avg views", "avg likes", "avg comments"]
    assert detect_mapping(youtube) == {
        "youtuber name": "handle",
        "channel name": "display_name",
        "Category": "categories",
        "Subscribers": "followers",
        "Audience Country": "audience_country",
        "avg views": "avg_views",
        "avg likes": "avg_likes",
        "avg comments": "avg_comments",
    }
    assert infer_platform(youtube) == "youtube"
    tiktok = ["Tiktoker name", "Tiktok name", "Subscribers count", "Views avg.", "Likes avg"]
    tiktok += ["Comments avg.", "Shares avg"]
    assert detect_mapping(tiktok) == {
        "Tiktoker name": "handle",
        "Tiktok name": "display_name",
        "Subscribers count": "followers",
        "Views avg.": "avg_views",
        "Likes avg": "avg_likes",
        "Comments avg.": "avg_comments",
        "Shares avg": "avg_shares",
    }
    assert infer_platform(tiktok) == "tiktok"


def test_youtube_top_1000_headers():
    headers = ["Youtube Channel", "Subscribers", "Video Views", "Video Count", "Category"]
    headers += ["Started"]
    assert detect_mapping(headers) == {
        "Youtube Channel": "handle",
        "Subscribers": "followers",
        "Video Views": None,
        "Video Count": "posts",
        "Category": "categories",
        "Started": None,
    }


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Followers count", "followers"),
        ("followers_count", "followers"),
        ("Instagram Followers", "followers"),
        ("Total YouTube subscribers", "followers"),
        ("Follower growth", None),
        ("Followers (M)", None),
        ("avg likes", "avg_likes"),
        ("60-day engagement rate", "engagement_rate"),
        ("Engagement rate (%)", "engagement_rate_percent"),
        ("ER %", "engagement_rate_percent"),
        ("Authentic engagement rate", "engagement_rate"),
        ("Engagement avg.", None),
        ("audience country", "audience_country"),
        ("Real followers %", "audience_credibility_percent"),
        ("category", "categories"),
        ("Category", "categories"),
        ("topic", "categories"),
        ("channel name", "display_name"),
        ("tiktoker name", "handle"),
        ("instagram name", "handle"),
        ("rank", None),
        ("E-mail", "contact_email"),
        ("Price per post", "price_per_post"),
        ("as_of", "as_of"),
        ("Something else", None),
    ],
)
def test_guess_target(header, target):
    assert aliases.guess_target(header) == target


@pytest.mark.parametrize(
    "header",
    [
        "Gender",
        "gender",
        "Age",
        "Age group",
        "Ethnicity",
        "Race",
        "Religion",
        "Sexual orientation",
        "LGBTQ",
        "LGBTQ+",
        "Date of birth",
        "Audience gender",
        "Disability",
        "Marital status",
    ],
)
def test_protected_traits_are_excluded(header):
    assert aliases.is_protected(header)
    assert aliases.guess_target(header) == EXCLUDED


@pytest.mark.parametrize("header", ["Average likes", "Page name", "Engagement", "Language"])
def test_words_that_contain_a_protected_word_are_not_protected(header):
    assert not aliases.is_protected(header)


def test_two_headers_for_one_column_keep_the_exact_name_then_the_first():
    assert detect_mapping(["Followers count", "followers", "Subscribers"]) == {
        "Followers count": None,
        "followers": "followers",
        "Subscribers": None,
    }
    assert detect_mapping(["category_1", "category_2"]) == {
        "category_1": "categories",
        "category_2": "categories",
    }


def test_infer_platform_needs_exactly_one_platform_in_the_headers():
    assert infer_platform(["Instagram handle", "followers"]) == "instagram"
    assert infer_platform(["Twitter handle"]) == "x"
    assert infer_platform(["Instagram handle", "TikTok handle"]) is None
    assert infer_platform(["handle", "followers"]) is None


def test_docs_list_every_alias_of_the_table():
    text = DOCS.read_text(encoding="utf-8").split("## The alias table")[1]
    for target, names in aliases._ALIASES_BY_TARGET.items():
        row = re.search(rf"^\| `{target}`.*$", text, flags=re.MULTILINE)
        assert row is not None, target
        for name in names:
            assert name in row.group(0), (target, name)
