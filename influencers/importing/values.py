"""Strict parsing of single cell values: numbers, percentages, handles, countries, dates…

Every ``parse_*`` function takes the text of one cell and returns the value, ``None`` for an
empty cell or a null token (``N/A``, ``-``, ``#VALUE!``…), or raises ``ValueParseError`` with
a reason in words. Nothing is ever guessed into a number: junk is an error, never a silent 0.

Numbers are parsed with ``Decimal`` so that ``0.89k`` is exactly 890 and ``475.8M`` exactly
475,800,000. Grouping commas follow the US (``234,000,000``) or the Indian (``23,40,00,000``)
convention; a single comma that cannot be a thousands separator (``1,5``) is a decimal comma;
anything else (``1,23,4``) is rejected as unclear rather than read one way or the other.

The vectorised twins, one whole column at a time, live in ``column_parsers.py``: same results,
faster.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from .exceptions import ValueParseError
from .iso_codes import COUNTRIES, CURRENCY_CODES, LANGUAGES

# The platforms, named once: influencers.models.Platform takes its choices from here (this
# package stays free of Django).
PLATFORM_LABELS = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "facebook": "Facebook",
    "twitch": "Twitch",
    "blog": "Blog",
    "podcast": "Podcast",
}
PLATFORMS = tuple(PLATFORM_LABELS)

# Cells meaning "no value", compared case-insensitively after trimming.
NULL_TOKENS = frozenset(
    {
        "",
        "-",
        "--",
        "\u2013",
        "\u2014",
        "n/a",
        "nan",
        "none",
        "null",
        "nil",
        "undefined",
        "#value!",
        "#valor!",
        "#n/a",
        "#na",
        "#div/0!",
        "#ref!",
        "#name?",
        "#num!",
        "#null!",
    }
)
# In numeric columns "NA" and "n.a." are null too; in code columns "NA" is Namibia (country)
# or Nauru (language), so they are not null tokens there.
NUMERIC_NULL_TOKENS = NULL_TOKENS | {"na", "n.a.", "n.a"}

INT64_MAX = 2**63 - 1
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


def clean_cell(text: object) -> str:
    """Return the cell's text trimmed of surrounding (Unicode) spaces and invisible marks."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return str(text).translate(_INVISIBLE).strip()


def is_null(text: object, *, numeric: bool = False) -> bool:
    """Whether a cell is empty or holds a null token such as ``N/A``, ``-`` or ``#VALUE!``."""
    tokens = NUMERIC_NULL_TOKENS if numeric else NULL_TOKENS
    return clean_cell(text).casefold() in tokens


# --- numbers ------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"""^(?P<sign>[+-]?)\s*
    (?P<body>\d[\d,.'\u00a0\u202f\u2009 ]*|\.\d+)
    (?P<exponent>[eE][+-]?\d+)?
    \s*(?P<suffix>[^\W\d_]+)?$""",
    re.VERBOSE,
)
# Multipliers written after a number. "mil" is left out on purpose: it means a million in
# English exports but a thousand in Spanish and Portuguese ones.
SUFFIX_EXPONENTS = {
    "k": 3,
    "thousand": 3,
    "m": 6,
    "mn": 6,
    "mio": 6,
    "million": 6,
    "millions": 6,
    "b": 9,
    "bn": 9,
    "billion": 9,
    "billions": 9,
    "lakh": 5,
    "lakhs": 5,
    "lac": 5,
    "crore": 7,
    "crores": 7,
    "cr": 7,
}
_PLAIN = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:['\u00a0\u202f\u2009 ]\d{3})+(?:\.\d+)?")
_US_GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
_INDIAN_GROUPED = re.compile(r"[1-9]\d?(?:,\d{2})*,\d{3}")
_DOT_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_MAX_EXPONENT = 30


def _is_comma_grouped(text: str) -> bool:
    return bool(_US_GROUPED.fullmatch(text) or _INDIAN_GROUPED.fullmatch(text))


def _decimal_from_body(body: str) -> Decimal:
    """Turn the digits-and-separators part of a number into a Decimal, or raise."""
    body = body.strip()
    if _PLAIN.fullmatch(body):
        return Decimal(body)
    if _SPACE_GROUPED.fullmatch(body):
        return Decimal(re.sub(r"['\u00a0\u202f\u2009 ]", "", body))
    if any(mark in body for mark in "'\u00a0\u202f\u2009 "):
        raise ValueParseError("unclear digit grouping")
    commas, dots = body.count(","), body.count(".")
    if commas and not dots:
        if _is_comma_grouped(body):
            return Decimal(body.replace(",", ""))
        whole, _, fraction = body.partition(",")
        if commas == 1 and whole.isdigit() and fraction.isdigit():
            return Decimal(f"{whole}.{fraction}")  # a decimal comma, as in 1,5k
        raise ValueParseError("unclear digit grouping")
    if dots and not commas:
        if _DOT_GROUPED.fullmatch(body):
            return Decimal(body.replace(".", ""))
        raise ValueParseError("unclear digit grouping")
    whole, separator, fraction = body.rpartition("." if body.rfind(".") > body.rfind(",") else ",")
    if fraction.isdigit():
        if separator == "." and _is_comma_grouped(whole):
            return Decimal(f"{whole.replace(',', '')}.{fraction}")
        if separator == "," and _DOT_GROUPED.fullmatch(whole):
            return Decimal(f"{whole.replace('.', '')}.{fraction}")
    raise ValueParseError("unclear digit grouping")


def parse_number(text: object, *, allow_suffix: bool = True) -> Decimal | None:
    """Parse a number such as ``3.3k``, ``475.8M``, ``23,40,00,000`` or ``1.2e6`` exactly."""
    cleaned = clean_cell(text).replace("\u2212", "-")
    if cleaned.casefold() in NUMERIC_NULL_TOKENS:
        return None
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise ValueParseError("not a number")
    body, exponent, suffix = match["body"], match["exponent"], match["suffix"]
    value = _decimal_from_body(body)
    shift = 0
    if exponent:
        if not _PLAIN.fullmatch(body.strip()):
            raise ValueParseError("not a number")
        shift = int(exponent[1:])
    if suffix:
        multiplier = SUFFIX_EXPONENTS.get(suffix.casefold())
        if multiplier is None or not allow_suffix or exponent:
            raise ValueParseError(f"unknown unit {suffix!r}")
        shift = multiplier
    if abs(shift) > _MAX_EXPONENT:
        raise ValueParseError("number too large")
    value = value.scaleb(shift)
    return -value if match["sign"] == "-" else value


def parse_count(text: object) -> int | None:
    """Parse an exact whole count: ``3.3k`` → 3300, ``0.89k`` → 890, ``234,000,000``…"""
    value = parse_number(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueParseError("not a whole number")
    count = int(value)
    if abs(count) > INT64_MAX:
        raise ValueParseError("number too large")
    return count


def parse_decimal(text: object) -> Decimal | None:
    """Parse a decimal number, unit suffixes allowed (``8.7m`` average likes → 8700000)."""
    return parse_number(text)


def parse_percent(text: object, *, bare_is_percent: bool = False) -> Decimal | None:
    """Parse a rate into a fraction: ``1.39%`` → 0.0139; ``NaN%`` → None.

    A bare number (no ``%`` sign) is already a fraction, unless ``bare_is_percent`` says the
    column holds percentages (a header such as "engagement rate %").
    """
    cleaned = clean_cell(text)
    if cleaned.endswith("%"):
        body = cleaned[:-1]
        if body.strip().casefold() in NUMERIC_NULL_TOKENS:
            return None
        value = parse_number(body, allow_suffix=False)
        return None if value is None else value.scaleb(-2)
    value = parse_number(cleaned, allow_suffix=False)
    if value is None:
        return None
    return value.scaleb(-2) if bare_is_percent else value


def decimal_text(value: Decimal) -> str:
    """Write a Decimal without exponent or trailing zeros: 1.5E+3 → ``1500``, 12.50 → ``12.5``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- handles ------------------------------------------------------------------------------

_PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.|mobile\.)?"
    r"(?:instagram\.com|tiktok\.com|youtube\.com|twitter\.com|x\.com|facebook\.com|twitch\.tv)"
    r"/(?:c/|user/)?@?(?P<handle>[^/?#\s]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
# "www.m4th.com" alone is a real TikTok handle (dots are allowed); a link has a scheme or
# a path.
_LOOKS_LIKE_LINK = re.compile(r"^(?:https?://|[\w-]+(?:\.[\w-]+)+/)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_HANDLE_LENGTH = 100


def parse_handle(text: object) -> str | None:
    """Normalise an account handle: strip ``@``, NFC, casefold, no spaces (``@Name`` → ``name``).

    A profile link (``https://www.instagram.com/name/``) gives its handle; any other link is an
    error; a slash elsewhere is kept (some exports put channel names in the handle column).
    Spaces inside are removed, so "Like Nastya" and "likenastya" are the same account.
    """
    cleaned = unicodedata.normalize("NFC", clean_cell(text))
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if _LOOKS_LIKE_LINK.match(cleaned):
        match = _PROFILE_URL.match(cleaned)
        if match is None or match["handle"].casefold() in {"channel", "profile.php", "watch"}:
            raise ValueParseError("a link, not a handle")
        cleaned = match["handle"]
    if _CONTROL.search(cleaned):
        raise ValueParseError("control characters in a handle")
    handle = re.sub(r"\s+", "", cleaned.removeprefix("@")).casefold()
    if not handle:
        return None
    if len(handle) > MAX_HANDLE_LENGTH:
        raise ValueParseError("too long for a handle")
    return handle


# --- platforms ----------------------------------------------------------------------------

_PLATFORM_ALIASES = {
    "instagram": "instagram",
    "ig": "instagram",
    "insta": "instagram",
    "instagramcom": "instagram",
    "tiktok": "tiktok",
    "tt": "tiktok",
    "tiktokcom": "tiktok",
    "youtube": "youtube",
    "yt": "youtube",
    "youtubecom": "youtube",
    "youtubeshorts": "youtube",
    "x": "x",
    "twitter": "x",
    "xtwitter": "x",
    "twitterx": "x",
    "xcom": "x",
    "twittercom": "x",
    "facebook": "facebook",
    "fb": "facebook",
    "facebookcom": "facebook",
    "twitch": "twitch",
    "twitchtv": "twitch",
    "blog": "blog",
    "podcast": "podcast",
}


def parse_platform(text: object) -> str | None:
    """Name the platform: ``Instagram``/``IG`` → instagram, ``Twitter``/``X`` → x, ``YT``…"""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    platform = _PLATFORM_ALIASES.get(re.sub(r"[\W_]+", "", cleaned.casefold()))
    if platform is None:
        raise ValueParseError(f"unknown platform (use one of {', '.join(PLATFORMS)})")
    return platform


# --- countries, languages, currencies -----------------------------------------------------


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 (``CÃ´te d'Ivoire`` → ``Côte d'Ivoire``) when that is exact."""
    if not any(marker in text for marker in ("Ã", "Â", "â€", "Ä", "Å")):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def name_key(text: str) -> str:
    """A comparison key for names: no accents, case, punctuation or spaces; "St" is "Saint"."""
    decomposed = unicodedata.normalize("NFKD", _repair_mojibake(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.sub(r"&", " and ", plain.casefold())
    words = re.findall(r"[^\W_]+", words)
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return "".join("saint" if word == "st" else word for word in words)


def _name_variants(name: str) -> list[str]:
    """ISO names plus their everyday forms: "Korea, Republic of" → "Republic of Korea"."""
    variants = [name]
    without_brackets = re.sub(r"\s*\(.*?\)", "", name).strip()
    variants += [without_brackets, *re.findall(r"\((.*?)\)", name)]
    for variant in list(variants):
        if ", " in variant:
            head, _, tail = variant.partition(", ")
            variants.append(f"{tail} {head}")
    return variants


COUNTRY_ALIASES = {
    "usa": "US",
    "america": "US",
    "unitedstatesofamerica": "US",
    "eeuu": "US",
    "estadosunidos": "US",
    "uk": "GB",
    "greatbritain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "uae": "AE",
    "emirates": "AE",
    "korea": "KR",
    "russia": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "czechrepublic": "CZ",
    "ivorycoast": "CI",
    "vatican": "VA",
    "vaticancity": "VA",
    "burma": "MM",
    "swaziland": "SZ",
    "macedonia": "MK",
    "capeverde": "CV",
    "easttimor": "TL",
    "drc": "CD",
    "drcongo": "CD",
    "democraticrepublicofcongo": "CD",
    "democraticrepublicofthecongo": "CD",
    "congokinshasa": "CD",
    "congobrazzaville": "CG",
    "palestine": "PS",
    "kosovo": "XK",
    "holland": "NL",
    "macau": "MO",
    "usvirginislands": "VI",
    "brasil": "BR",
    "espana": "ES",
    "deutschland": "DE",
    "italia": "IT",
    "nederland": "NL",
    "schweiz": "CH",
    "suisse": "CH",
    "osterreich": "AT",
    "polska": "PL",
    "mexique": "MX",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "vietnam": "VN",
}


def _build_country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for alpha2, alpha3, names in COUNTRIES:
        index[alpha2.casefold()] = alpha2
        index[alpha3.casefold()] = alpha2
        for name in names:
            for variant in _name_variants(name):
                index.setdefault(name_key(variant), alpha2)
    index.update(COUNTRY_ALIASES)
    index["xk"] = "XK"  # Kosovo: user-assigned, but used by every platform
    return index


COUNTRY_INDEX = _build_country_index()
COUNTRY_CODES = frozenset(code for code, _, _ in COUNTRIES) | {"XK"}


def _flag_letters(text: str) -> str | None:
    """Turn a flag emoji (two regional indicator symbols) into its two letters."""
    if len(text) == 2 and all("\U0001f1e6" <= char <= "\U0001f1ff" for char in text):
        return "".join(chr(ord(char) - 0x1F1E6 + ord("a")) for char in text)
    return None


def parse_country(text: object) -> str | None:
    """ISO 3166-1 alpha-2 code from a name or code: ``U.S.A`` → US, ``U.K.`` → GB, ``DEU`` → DE."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    key = _flag_letters(cleaned) or name_key(cleaned)
    code = COUNTRY_INDEX.get(key)
    if code is None:
        raise ValueParseError("unknown country")
    return code


LANGUAGE_ALIASES = {
    "farsi": "fa",
    "mandarin": "zh",
    "cantonese": "zh",
    "filipino": "tl",
    "brazilianportuguese": "pt",
}


def _build_language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for alpha2, codes, names in LANGUAGES:
        index[alpha2] = alpha2
        for code in codes:
            index.setdefault(code, alpha2)
        for name in names:
            index.setdefault(name_key(name), alpha2)
    index.update(LANGUAGE_ALIASES)
    return index


LANGUAGE_INDEX = _build_language_index()
_LOCALE = re.compile(r"(?P<language>[a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{2,8})+")


def parse_language(text: object) -> str | None:
    """ISO 639-1 code from a code, a locale or an English name: ``en-US``/``English`` → en."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    locale = _LOCALE.fullmatch(cleaned)
    if locale:
        cleaned = locale["language"]
    cleaned = re.sub(r"\s*\(.*?\)", "", cleaned)
    code = LANGUAGE_INDEX.get(name_key(cleaned))
    if code is None:
        raise ValueParseError("unknown language")
    return code


CURRENCY_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "₺": "TRY",
    "₽": "RUB",
    "₱": "PHP",
    "฿": "THB",
    "₫": "VND",
    "₦": "NGN",
    "₴": "UAH",
    "₪": "ILS",
    "r$": "BRL",
    "us$": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "mx$": "MXN",
    "zł": "PLN",
    "euro": "EUR",
    "euros": "EUR",
}
AMBIGUOUS_CURRENCY_SYMBOLS = frozenset({"$", "¥", "kr", "fr", "元", "円"})


def parse_currency(text: object) -> str | None:
    """ISO 4217 code from a code or an unambiguous symbol: ``usd`` → USD, ``€`` → EUR."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if cleaned.upper() in CURRENCY_CODES:
        return cleaned.upper()
    if cleaned.casefold() in AMBIGUOUS_CURRENCY_SYMBOLS:
        raise ValueParseError(f"ambiguous currency {cleaned!r}: use a code such as USD")
    code = CURRENCY_SYMBOLS.get(cleaned.casefold())
    if code is None:
        raise ValueParseError("unknown currency")
    return code


_PRICE = re.compile(
    r"^(?P<before>[^\d\s.,+-]*)\s*(?P<number>[+-]?[\d.,'\u00a0 ]*\d(?:\s*[kKmM])?)\s*"
    r"(?P<after>[^\d\s.,]*)$"
)


def parse_price(text: object) -> tuple[Decimal | None, str | None]:
    """Parse a price and the currency it names, if any: ``$1,500`` → (1500, None: ``$`` is
    ambiguous), ``€250`` → (250, EUR), ``1.5k USD`` → (1500, USD)."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NUMERIC_NULL_TOKENS:
        return None, None
    match = _PRICE.match(cleaned)
    if match is None:
        raise ValueParseError("not a price")
    marks = [mark for mark in (match["before"], match["after"]) if mark]
    if len(marks) > 1:
        raise ValueParseError("not a price")
    currency = None
    if marks and marks[0].casefold() not in AMBIGUOUS_CURRENCY_SYMBOLS:
        currency = parse_currency(marks[0])
    return parse_number(match["number"]), currency


# --- dates --------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMERIC_DATE = re.compile(r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NAMED_DATE = re.compile(
    r"(?:(?P<day1>\d{1,2})[\s-]+(?P<month1>[A-Za-z]+)\.?,?[\s-]+(?P<year1>\d{4})"
    r"|(?P<month2>[A-Za-z]+)\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year2>\d{4}))"
)


def _iso_datetime(match: re.Match[str], *, default_zone: str) -> datetime:
    """The datetime an ``_ISO_DATETIME`` match names (``+0000`` and ``+00`` read as
    ``+00:00``); ``default_zone`` when it has none ("": naive). Raises ValueError."""
    zone = match["zone"] or default_zone
    if zone and zone != "Z":
        zone = f"{zone[:3]}:{zone[-2:]}" if len(zone) > 3 else f"{zone}:00"
    return datetime.fromisoformat(f"{match['date']}T{match['time']}{zone}")


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueParseError("not a real date") from None


def parse_date(text: object) -> date | None:
    """Parse a date: ISO (``2024-01-31``, ``2021-08-17T19:00:42+0000`` → its UTC date),
    ``31/01/2024``, ``31.01.2024``, ``Jan 31, 2024``. ``01/02/2024`` is rejected as ambiguous
    (day and month could be swapped) and two-digit years are rejected."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if _ISO_DATE.fullmatch(cleaned):
        return _make_date(*(int(part) for part in cleaned.split("-")))
    match = _ISO_DATETIME.fullmatch(cleaned)
    if match:
        try:
            moment = _iso_datetime(match, default_zone="")
        except ValueError:
            raise ValueParseError("not a real date") from None
        return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()
    match = _NUMERIC_DATE.fullmatch(cleaned)
    if match:
        a, b, c = (int(match[group]) for group in "abc")
        if len(match["a"]) == 4:
            return _make_date(a, b, c)
        if len(match["c"]) != 4:
            raise ValueParseError("two-digit or misplaced year: use YYYY-MM-DD")
        if match["sep"] == "." or a > 12:
            return _make_date(c, b, a)  # 31.01.2024 and 31/01/2024 are day first
        if b > 12 or a == b:
            return _make_date(c, a, b)  # 01/31/2024 is month first
        raise ValueParseError("ambiguous date (day and month could be swapped): use YYYY-MM-DD")
    match = _NAMED_DATE.fullmatch(cleaned)
    if match:
        day, month, year = (
            (match["day1"], match["month1"], match["year1"])
            if match["day1"]
            else (match["day2"], match["month2"], match["year2"])
        )
        month_number = _MONTHS.get(month.casefold())
        if month_number is None:
            raise ValueParseError("not a date")
        return _make_date(int(year), month_number, int(day))
    raise ValueParseError("not a date")


def parse_timestamp(text: object) -> datetime | None:
    """Parse an ISO timestamp with or without a colon in its offset, as an aware UTC datetime."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    match = _ISO_DATETIME.fullmatch(cleaned)
    if match is None:
        raise ValueParseError("not a timestamp")
    try:
        moment = _iso_datetime(match, default_zone="Z")
    except ValueError:
        raise ValueParseError("not a real timestamp") from None
    return moment.astimezone(UTC)


# --- descriptive text ---------------------------------------------------------------------

MAX_CATEGORY_LENGTH = 60


def parse_categories(text: object) -> str | None:
    """Normalise categories to lowercase, comma-separated, without repeats:
    ``"Dancing, Lipsyncing; Comedy"`` → ``dancing,lipsyncing,comedy``. A link is an error."""
    cleaned = unicodedata.normalize("NFC", clean_cell(text))
    if cleaned.casefold() in NULL_TOKENS:
        return None
    categories: list[str] = []
    for part in re.split(r"[,;|\n]", cleaned):
        category = re.sub(r"\s+", " ", part).strip().casefold()
        if not category or category in NULL_TOKENS:
            continue
        if "://" in category or category.startswith("www."):
            raise ValueParseError("a link, not a category")
        if len(category) > MAX_CATEGORY_LENGTH:
            raise ValueParseError("too long for a category")
        if category not in categories:
            categories.append(category)
    return ",".join(categories) or None


_EMAIL = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^\W\d_]{2,}")


def parse_email(text: object) -> str | None:
    """A contact e-mail address (``mailto:`` removed, domain lowercased)."""
    cleaned = clean_cell(text).removeprefix("mailto:")
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if not _EMAIL.fullmatch(cleaned):
        raise ValueParseError("not an e-mail address")
    local, _, domain = cleaned.rpartition("@")
    return f"{local}@{domain.casefold()}"


def parse_url(text: object) -> str | None:
    """A web address; ``instagram.com/name`` gets ``https://`` in front."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if "://" not in cleaned:
        cleaned = f"https://{cleaned}"
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # "[" alone, for one, is an invalid IPv6 address to urlsplit
        raise ValueParseError("not a web address") from None
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in cleaned:
        raise ValueParseError("not a web address")
    return cleaned


_FLOAT_ID = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")


def parse_external_id(text: object) -> str | None:
    """The platform's id for the account, always text. ``12345.0`` (an integer id that went
    through a spreadsheet's float) becomes ``12345``; ``1.78414E+16`` is an error because the
    digits were lost."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    if _FLOAT_ID.fullmatch(cleaned):
        raise ValueParseError("the id was rounded to a floating-point number")
    if re.fullmatch(r"\d+\.0+", cleaned):
        cleaned = cleaned.split(".")[0]
    if _CONTROL.search(cleaned) or len(cleaned) > 200:
        raise ValueParseError("not an id")
    return cleaned


def parse_text(text: object) -> str | None:
    """Free text (names, bios): trimmed, NFC, line breaks kept, other control characters gone."""
    cleaned = clean_cell(text)
    if cleaned.casefold() in NULL_TOKENS:
        return None
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", cleaned)
    return unicodedata.normalize("NFC", cleaned) or None


def to_decimal(value: object) -> Decimal:
    """``Decimal`` of an int, a Decimal or a string (JSON numbers parsed with parse_float)."""
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueParseError("not a number") from None
