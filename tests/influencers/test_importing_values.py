"""Strict value parsing: every rule of the issue, exact values, and the vectorised twins."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influencers.importing import column_parsers, values
from influencers.importing.exceptions import ValueParseError


def reason_of(parse, text, **options):
    with pytest.raises(ValueParseError) as raised:
        parse(text, **options)
    return raised.value.reason


# --- counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.3k", 3_300),
        ("475.8M", 475_800_000),
        ("475.8m", 475_800_000),
        ("29.0b", 29_000_000_000),
        ("29.0B", 29_000_000_000),
        ("0.89k", 890),
        ("0.66k", 660),
        ("221.7K", 221_700),
        ("23,40,00,000", 234_000_000),
        ("2,43,000", 243_000),
        ("234,000,000", 234_000_000),
        ("212,900,271,553", 212_900_271_553),
        ("1.2e6", 1_200_000),
        ("1.2E+06", 1_200_000),
        ("1 234 567", 1_234_567),
        ("1\u00a0234", 1_234),
        ("1'234'567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1,5k", 1_500),
        ("1.234,5k", 1_234_500),
        ("1.2 M", 1_200_000),
        ("2.3 crore", 23_000_000),
        ("4 lakh", 400_000),
        ("12 million", 12_000_000),
        ("475800000.0", 475_800_000),
        ("  42 ", 42),
        ("+7", 7),
        ("0", 0),
        ("-5", -5),
        ("\u22125", -5),
        ("007", 7),
        ("\u200b120", 120),
    ],
)
def test_parse_count_reads_exact_integers(text, expected):
    assert values.parse_count(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "N/A", "n/a", "NA", "-", "--", "NaN", "nan", "#VALUE!", "#VALOR!", "None"]
)
def test_parse_count_null_tokens_are_unknown(text):
    assert values.parse_count(text) is None


def test_parse_count_null_tokens_are_case_insensitive():
    assert values.parse_count("NULL") is None
    assert values.parse_count("#n/a") is None
    assert values.parse_count(None) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not a number"),
        ("10k+", "not a number"),
        ("12abc", "unknown unit 'abc'"),
        ("1.5", "not a whole number"),
        ("1.234", "not a whole number"),
        ("1.2345k", "not a whole number"),
        ("1,23,4", "unclear digit grouping"),
        ("12,3456,789", "unclear digit grouping"),
        ("1 23 456", "unclear digit grouping"),
        ("1e400", "number too large"),
        ("99999999999999999999", "number too large"),
        ("1.2.3", "unclear digit grouping"),
        ("1e3k", "unknown unit 'k'"),
        ("$100", "not a number"),
    ],
)
def test_parse_count_rejects_junk_with_a_reason(text, reason):
    assert reason_of(values.parse_count, text) == reason


def test_parse_count_never_goes_through_float():
    # 2**53 + 1 is not a float; Decimal keeps it exact.
    assert values.parse_count("9007199254740993") == 9_007_199_254_740_993
    assert values.parse_count("9,007,199,254,740,993") == 9_007_199_254_740_993


# --- decimals and percentages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8.7m", Decimal("8700000")),
        ("1,234.5", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        ("0,125", Decimal("0.125")),
        (".5", Decimal("0.5")),
        ("-2.5", Decimal("-2.5")),
        ("665.3k", Decimal("665300")),
        ("N/A", None),
    ],
)
def test_parse_decimal(text, expected):
    assert values.parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.39%", Decimal("0.0139")),
        ("16%", Decimal("0.16")),
        ("16.60%", Decimal("0.1660")),
        ("0.02%", Decimal("0.0002")),
        ("1,5 %", Decimal("0.015")),
        ("0.0139", Decimal("0.0139")),
        ("NaN%", None),
        ("n/a%", None),
        ("%", None),
        ("", None),
    ],
)
def test_parse_percent_gives_a_fraction(text, expected):
    assert values.parse_percent(text) == expected


def test_parse_percent_bare_numbers_in_a_percent_column():
    assert values.parse_percent("16.6", bare_is_percent=True) == Decimal("0.166")
    assert values.parse_percent("16.6%", bare_is_percent=True) == Decimal("0.166")


def test_parse_percent_refuses_units_and_junk():
    assert reason_of(values.parse_percent, "1.2k%") == "unknown unit 'k'"
    assert reason_of(values.parse_percent, "high") == "not a number"


def test_decimal_text_has_no_exponent_nor_trailing_zeros():
    assert values.decimal_text(Decimal("1.5E+3")) == "1500"
    assert values.decimal_text(Decimal("12.50")) == "12.5"
    assert values.decimal_text(Decimal("-0")) == "0"


# --- handles, platforms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@CharliDamelio", "charlidamelio"),
        ("cristiano", "cristiano"),
        (" Like Nastya ", "likenastya"),
        ("@riyaz.14", "riyaz.14"),
        ("Straße", "strasse"),
        ("Zoe\u0308", "zo\u00eb"),
        ("\ufb01sh", "fish"),  # casefold unfolds the ligature
        ("https://www.instagram.com/cristiano/", "cristiano"),
        ("instagram.com/leomessi?hl=en", "leomessi"),
        ("https://www.tiktok.com/@khaby.lame", "khaby.lame"),
        ("https://youtube.com/@google", "google"),
        ("أترو/Atro", "أترو/atro"),
        ("N/A", None),
        ("@", None),
    ],
)
def test_parse_handle_normalises(text, expected):
    assert values.parse_handle(text) == expected


def test_parse_handle_refuses_other_links_and_control_characters():
    assert reason_of(values.parse_handle, "https://example.com/someone") == "a link, not a handle"
    assert reason_of(values.parse_handle, "https://www.youtube.com/channel/UC123") == (
        "a link, not a handle"
    )
    assert reason_of(values.parse_handle, "bad\x07name") == "control characters in a handle"
    assert reason_of(values.parse_handle, "x" * 101) == "too long for a handle"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Instagram", "instagram"),
        ("IG", "instagram"),
        ("TikTok", "tiktok"),
        ("YouTube", "youtube"),
        ("YT", "youtube"),
        ("Twitter", "x"),
        ("X (Twitter)", "x"),
        ("x.com", "x"),
        ("Facebook", "facebook"),
        ("twitch.tv", "twitch"),
        ("Blog", "blog"),
        ("podcast", "podcast"),
        ("", None),
    ],
)
def test_parse_platform(text, expected):
    assert values.parse_platform(text) == expected


def test_parse_platform_refuses_unknown_names():
    assert reason_of(values.parse_platform, "myspace").startswith("unknown platform")


# --- countries, languages, currencies ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S.A", "US"),
        ("USA", "US"),
        ("United States", "US"),
        ("united states of america", "US"),
        ("US", "US"),
        ("us", "US"),
        ("U.K.", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("U.A.E.", "AE"),
        ("United Arab Emirates", "AE"),
        ("CÃ´te d'Ivoire", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Russia", "RU"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Czech Republic", "CZ"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("British Virgin Islands", "VG"),
        ("Puerto Rico", "PR"),
        ("Anguilla", "AI"),
        ("The Netherlands", "NL"),
        ("St Kitts and Nevis", "KN"),
        ("DEU", "DE"),
        ("Brasil", "BR"),
        ("NA", "NA"),
        ("\U0001f1fa\U0001f1f8", "US"),
        ("N/A", None),
        ("", None),
    ],
)
def test_parse_country(text, expected):
    assert values.parse_country(text) == expected


def test_parse_country_refuses_what_it_cannot_resolve():
    assert reason_of(values.parse_country, "Narnia") == "unknown country"
    assert reason_of(values.parse_country, "Europe") == "unknown country"


def test_country_index_names_every_iso_country():
    assert len(values.COUNTRY_CODES) == 250  # 249 ISO 3166-1 codes and XK (Kosovo)
    assert set(values.COUNTRY_INDEX.values()) == set(values.COUNTRY_CODES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("pt_BR", "pt"),
        ("English", "en"),
        ("english (US)", "en"),
        ("eng", "en"),
        ("fre", "fr"),
        ("Spanish", "es"),
        ("Castilian", "es"),
        ("Farsi", "fa"),
        ("", None),
    ],
)
def test_parse_language(text, expected):
    assert values.parse_language(text) == expected


def test_parse_language_refuses_unknown_languages():
    assert reason_of(values.parse_language, "Klingon") == "unknown language"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("usd", "USD"), ("EUR", "EUR"), ("€", "EUR"), ("£", "GBP"), ("R$", "BRL"), ("₹", "INR")],
)
def test_parse_currency(text, expected):
    assert values.parse_currency(text) == expected


def test_parse_currency_refuses_ambiguous_symbols():
    assert reason_of(values.parse_currency, "$") == "ambiguous currency '$': use a code such as USD"
    assert reason_of(values.parse_currency, "¥").startswith("ambiguous currency")
    assert reason_of(values.parse_currency, "XYZ") == "unknown currency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500", (Decimal("1500"), None)),
        ("$1,500", (Decimal("1500"), None)),
        ("€250", (Decimal("250"), "EUR")),
        ("1.5k USD", (Decimal("1500"), "USD")),
        ("US$ 99.99", (Decimal("99.99"), "USD")),
        ("1500 EUR", (Decimal("1500"), "EUR")),
        ("N/A", (None, None)),
    ],
)
def test_parse_price(text, expected):
    assert values.parse_price(text) == expected


def test_parse_price_refuses_junk():
    assert reason_of(values.parse_price, "ask me") == "not a price"


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", date(2024, 1, 31)),
        ("2021-08-17T19:00:42+0000", date(2021, 8, 17)),
        ("2021-08-17T23:30:00-0300", date(2021, 8, 18)),
        ("2021-08-17T23:30:00+02:00", date(2021, 8, 17)),
        ("2005-09-18T22:37:10Z", date(2005, 9, 18)),
        ("2019-03-21T20:37:49.000Z", date(2019, 3, 21)),
        ("2024-01-31 10:00", date(2024, 1, 31)),
        ("31/01/2024", date(2024, 1, 31)),
        ("01/31/2024", date(2024, 1, 31)),
        ("05/05/2024", date(2024, 5, 5)),
        ("31.01.2024", date(2024, 1, 31)),
        ("01.02.2024", date(2024, 2, 1)),
        ("2024/01/31", date(2024, 1, 31)),
        ("Jan 31, 2024", date(2024, 1, 31)),
        ("31 January 2024", date(2024, 1, 31)),
        ("31-Jan-2024", date(2024, 1, 31)),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert values.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("01/02/2024", "ambiguous date (day and month could be swapped): use YYYY-MM-DD"),
        ("1/2/24", "two-digit or misplaced year: use YYYY-MM-DD"),
        ("2024-02-30", "not a real date"),
        ("31/31/2024", "not a real date"),
        ("yesterday", "not a date"),
        ("2024", "not a date"),
    ],
)
def test_parse_date_refuses_ambiguous_and_impossible_dates(text, reason):
    assert reason_of(values.parse_date, text) == reason


def test_parse_timestamp_accepts_an_offset_without_colon():
    moment = values.parse_timestamp("2021-08-17T19:00:42+0000")
    assert moment.isoformat() == "2021-08-17T19:00:42+00:00"


# --- descriptive text ----------------------------------------------------------------------


def test_parse_categories_normalises_and_refuses_links():
    assert values.parse_categories("Dancing, Lipsyncing; Comedy") == "dancing,lipsyncing,comedy"
    assert values.parse_categories("Music & Dance") == "music & dance"
    assert values.parse_categories("Travel, travel ,  FOOD") == "travel,food"
    assert values.parse_categories(" , ") is None
    link = "https://us.youtubers.me/global/all/top-1000-most_subscribed-youtube-channels"
    assert reason_of(values.parse_categories, link) == "a link, not a category"


def test_parse_email_url_and_external_id():
    assert values.parse_email("mailto:Hello@Example.COM") == "Hello@example.com"
    assert reason_of(values.parse_email, "not an address") == "not an e-mail address"
    assert values.parse_url("instagram.com/cristiano") == "https://instagram.com/cristiano"
    assert reason_of(values.parse_url, "ftp://x") == "not a web address"
    assert values.parse_external_id("17841407673135339") == "17841407673135339"
    assert values.parse_external_id("12345.0") == "12345"
    assert reason_of(values.parse_external_id, "1.78414E+16") == (
        "the id was rounded to a floating-point number"
    )


def test_parse_text_keeps_line_breaks_and_drops_control_characters():
    assert values.parse_text("  line one\r\nline two\x07 ") == "line one\nline two"
    assert values.parse_text("-") is None


# --- property tests: formatting an integer and parsing it back is exact ---------------------


def us_grouping(number: int) -> str:
    return f"{number:,}"


def indian_grouping(number: int) -> str:
    digits = str(number)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail])


@given(st.integers(min_value=0, max_value=10**15))
def test_grouped_integers_round_trip(number):
    assert values.parse_count(us_grouping(number)) == number
    assert values.parse_count(indian_grouping(number)) == number
    assert values.parse_count(str(number)) == number


@given(
    st.integers(min_value=0, max_value=10**9),  # 10**9 billions still fit an Int64
    st.sampled_from([("k", 3), ("K", 3), ("m", 6), ("M", 6), ("b", 9), ("B", 9)]),
    st.integers(min_value=0, max_value=3),
)
def test_suffixed_counts_round_trip(mantissa, suffix, decimals):
    letter, exponent = suffix
    decimals = min(decimals, exponent)
    number = mantissa * 10 ** (exponent - decimals)  # exactly representable with `decimals`
    whole, fraction = divmod(number, 10**exponent)
    digits = f"{fraction:0{exponent}d}"[:decimals]
    text = f"{whole}.{digits}{letter}" if decimals else f"{whole}{letter}"
    assert values.parse_count(text) == number


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=4))
def test_percent_text_round_trips_to_the_fraction(hundredths, places):
    percent = Decimal(hundredths).scaleb(-places)
    assert values.parse_percent(f"{percent}%") == percent.scaleb(-2)


# --- the vectorised parsers give exactly the scalar results --------------------------------

NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(10**18), max_value=10**18).map(str),
    st.integers(min_value=0, max_value=10**15).map(us_grouping),
    st.integers(min_value=0, max_value=10**15).map(indian_grouping),
    st.builds(
        lambda whole, fraction, suffix: f"{whole}.{fraction}{suffix}",
        st.integers(min_value=0, max_value=999_999),
        st.integers(min_value=0, max_value=999),
        st.sampled_from(["", "k", "K", "m", "M", "b", "B", "%"]),
    ),
    st.sampled_from(["", " ", "N/A", "-", "NaN", "#VALUE!", "abc", "1,23,4", "+7", "1e3", "1e40"]),
    st.text(alphabet="0123456789.,kKmMbB%+- e", max_size=8),
)


def scalar_or_error(parse, text):
    try:
        return parse(text)
    except ValueParseError as error:
        return ("error", error.reason)


def vector_results(values_series, problems):
    results = []
    for index, value in values_series.items():
        if index in problems.index:
            results.append(("error", problems[index]))
        elif pd.isna(value):
            results.append(None)
        else:
            results.append(value)
    return results


@settings(max_examples=300)
@given(st.lists(NUMBER_TEXT, min_size=1, max_size=30))
def test_count_series_matches_the_scalar_parser(texts):
    parsed, problems = column_parsers.parse_count_series(pd.Series(texts, dtype="str"))
    assert str(parsed.dtype) == "Int64"
    assert vector_results(parsed, problems) == [
        scalar_or_error(values.parse_count, text) for text in texts
    ]


@settings(max_examples=300)
@given(st.lists(NUMBER_TEXT, min_size=1, max_size=30))
def test_decimal_series_matches_the_scalar_parser(texts):
    parsed, problems = column_parsers.parse_decimal_series(pd.Series(texts, dtype="str"))
    expected = []
    for text in texts:
        result = scalar_or_error(values.parse_decimal, text)
        expected.append(float(result) if isinstance(result, Decimal) else result)
    assert str(parsed.dtype) == "Float64"
    assert vector_results(parsed, problems) == expected


@settings(max_examples=300)
@given(st.lists(NUMBER_TEXT, min_size=1, max_size=30), st.booleans())
def test_fraction_series_matches_the_scalar_parser(texts, bare_is_percent):
    parsed, problems = column_parsers.parse_fraction_series(
        pd.Series(texts, dtype="str"), bare_is_percent=bare_is_percent
    )
    expected = []
    for text in texts:
        result = scalar_or_error(
            lambda text: values.parse_percent(text, bare_is_percent=bare_is_percent), text
        )
        expected.append(float(result) if isinstance(result, Decimal) else result)
    assert vector_results(parsed, problems) == expected


HANDLE_TEXT = st.one_of(
    st.from_regex(r"@?[A-Za-z0-9._-]{1,20}", fullmatch=True),
    st.text(max_size=12),
    st.sampled_from(["N/A", "@", " Like Nastya ", "https://www.instagram.com/x/", "Zoe\u0308"]),
)


@settings(max_examples=300)
@given(st.lists(HANDLE_TEXT, min_size=1, max_size=30))
def test_handle_series_matches_the_scalar_parser(texts):
    parsed, problems = column_parsers.parse_handle_series(pd.Series(texts, dtype="str"))
    assert vector_results(parsed, problems) == [
        scalar_or_error(values.parse_handle, text) for text in texts
    ]


@settings(max_examples=200)
@given(st.lists(st.text(max_size=15), min_size=1, max_size=20))
def test_text_series_matches_the_scalar_parser(texts):
    parsed, problems = column_parsers.parse_text_series(pd.Series(texts, dtype="str"))
    assert vector_results(parsed, problems) == [values.parse_text(text) for text in texts]


def test_count_series_fast_path_for_plain_integers_with_blanks():
    parsed, problems = column_parsers.parse_count_series(pd.Series(["1", "", "9007199254740993"]))
    assert parsed.tolist() == [1, pd.NA, 9_007_199_254_740_993]
    assert problems.empty


def test_series_parsers_report_problems_by_index():
    series = pd.Series(["3.3k", "junk", "N/A", "0.89k"], index=[10, 11, 12, 13])
    parsed, problems = column_parsers.parse_count_series(series)
    assert parsed.tolist() == [3300, pd.NA, pd.NA, 890]
    assert problems.to_dict() == {11: "not a number"}


def test_code_series_parse_each_distinct_value_once():
    countries, problems = column_parsers.parse_country_series(
        pd.Series(["U.S.A", "India", "", "Narnia", None, "U.S.A"])
    )
    assert countries.tolist() == ["US", "IN", pd.NA, pd.NA, pd.NA, "US"]
    assert problems.to_dict() == {3: "unknown country"}


def test_date_and_price_series():
    dates, problems = column_parsers.parse_date_series(pd.Series(["2024-01-31", "01/02/2024"]))
    assert dates.tolist() == [date(2024, 1, 31), pd.NA]
    assert list(problems.index) == [1]
    prices, currencies, problems = column_parsers.parse_price_series(
        pd.Series(["1500", "€250", "$1,500.50", "x", ""])
    )
    assert prices.tolist() == ["1500", "250", "1500.5", pd.NA, pd.NA]
    assert currencies.tolist() == [pd.NA, "EUR", pd.NA, pd.NA, pd.NA]
    assert problems.to_dict() == {3: "not a price"}


def test_a_handle_with_dots_is_a_handle_and_a_link_needs_a_scheme_or_a_path():
    from influencers.importing.column_parsers import parse_handle_series

    assert values.parse_handle("www.m4th.com") == "www.m4th.com"
    with pytest.raises(values.ValueParseError, match="a link, not a handle"):
        values.parse_handle("www.example.com/someone")
    parsed, problems = parse_handle_series(pd.Series(["0", "WWW."]))
    assert (list(parsed), list(problems)) == (["0", "www."], [])
