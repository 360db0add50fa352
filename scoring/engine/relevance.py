"""Relevance: how well an account matches a target (a brand's or campaign's audience).

Text similarity is the cosine between sublinear term-frequency vectors (1 + ln count) of the
account's categories + bio and the target's categories + keywords, after lower-casing,
splitting on anything that is not a letter or digit, and dropping one-letter tokens and
English stop words. Inverse document frequency is deliberately left out: it would make an
account's score depend on which other accounts share its chunk (or need a stored
vocabulary), and the target's words are few and specific anyway.

Tokenising, counting and the sparse dot products run in Arrow and numpy over all accounts at
once; nothing here loops over accounts in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring.engine.inputs import AccountArrays, Target, text_column
from scoring.engine.profile import Profile
from scoring.engine.terms import count_terms, words_of


def account_texts(accounts: AccountArrays) -> pa.Array:
    categories = text_column(accounts.frame, "categories")
    bio = text_column(accounts.frame, "bio")
    return pc.binary_join_element_wise(
        categories, bio, " ", null_handling="replace", null_replacement=""
    )


def target_text(target: Target) -> str:
    return " ".join([*target.categories, *target.keywords])


@dataclass
class Relevance:
    score: np.ndarray
    text_similarity: np.ndarray  # cosine 0..1, NaN when the account has no text
    text_match: np.ndarray  # min(1, similarity / full_match_similarity)
    matched_terms: pa.Array  # the target's words found in the account's text
    country_match: np.ndarray  # 1, 0, or NaN (unknown or not asked)
    language_match: np.ndarray
    platform_match: np.ndarray
    country: pa.Array
    language: pa.Array


def relevance_scores(accounts: AccountArrays, target: Target | None, profile: Profile) -> Relevance:
    """100 × Σ weight × match / Σ weight over the parts the target asks for and the account
    has data for. NaN without a target, and when none of text, country and language can be
    compared (a platform match alone says nothing about the audience)."""
    size = accounts.size
    unknown = np.full(size, np.nan)
    country = pc.utf8_upper(pc.utf8_trim_whitespace(text_column(accounts.frame, "country")))
    language = pc.utf8_lower(pc.utf8_trim_whitespace(text_column(accounts.frame, "language")))
    nothing = pa.nulls(size, pa.string())
    if target is None:
        return Relevance(
            unknown, unknown, unknown, nothing, unknown, unknown, unknown, country, language
        )
    weights = profile.relevance

    similarity = unknown.copy()
    matched_terms = nothing
    wanted = words_of(target_text(target))
    if wanted:
        similarity, matched_terms = _text_similarity(accounts, wanted)
    text_match = np.minimum(similarity / weights.full_match_similarity, 1.0)

    def match(values: pa.Array, wanted_values: tuple[str, ...]) -> np.ndarray:
        if not wanted_values:
            return unknown
        known = pc.and_(pc.is_valid(values), pc.not_equal(pc.fill_null(values, ""), ""))
        found = pc.is_in(values, value_set=pa.array(wanted_values, type=pa.string()))
        result = found.to_numpy(zero_copy_only=False).astype(np.float64)
        result[~known.to_numpy(zero_copy_only=False)] = np.nan
        return result

    country_match = match(country, target.country_codes)
    language_match = match(language, target.language_codes)
    platform_match = unknown
    if target.platform_names:
        wanted_platforms = np.array([name in target.platform_names for name in accounts.platforms])
        platform_match = (
            wanted_platforms[accounts.platform_codes].astype(np.float64) if size else unknown
        )

    numerator = np.zeros(size)
    denominator = np.zeros(size)
    for values, weight in (
        (text_match, weights.text),
        (country_match, weights.country),
        (language_match, weights.language),
        (platform_match, weights.platform),
    ):
        known = ~np.isnan(values)
        numerator = numerator + np.where(known, values * weight, 0.0)
        denominator = denominator + np.where(known, weight, 0.0)
    has_audience_data = ~(np.isnan(text_match) & np.isnan(country_match) & np.isnan(language_match))
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(
            has_audience_data & (denominator > 0),
            np.clip(100.0 * numerator / denominator, 0.0, 100.0),
            np.nan,
        )
    return Relevance(
        score,
        similarity,
        text_match,
        matched_terms,
        country_match,
        language_match,
        platform_match,
        country,
        language,
    )


def _text_similarity(
    accounts: AccountArrays, wanted: dict[int, tuple[str, int]]
) -> tuple[np.ndarray, pa.Array]:
    size = accounts.size
    terms = count_terms(account_texts(accounts))
    weight = 1.0 + np.log(terms.count)
    norm = np.sqrt(np.bincount(terms.document, weights=weight * weight, minlength=size))

    # The target's words, alphabetically, with their hashes and weights.
    entries = sorted((word, value, count) for value, (word, count) in wanted.items())
    wanted_words = pa.array([word for word, _, _ in entries], type=pa.string())
    wanted_hashes = np.array([value for _, value, _ in entries], dtype=np.uint64)
    wanted_weights = 1.0 + np.log(np.array([count for _, _, count in entries], dtype=np.float64))
    wanted_norm = float(np.sqrt(np.sum(wanted_weights * wanted_weights)))
    by_hash = np.argsort(wanted_hashes)
    position = np.searchsorted(wanted_hashes[by_hash], terms.term)
    position = np.minimum(position, len(entries) - 1)
    word_index = by_hash[position]
    is_shared = wanted_hashes[word_index] == terms.term
    shared = np.where(is_shared, wanted_weights[word_index], 0.0)
    dot = np.bincount(terms.document, weights=weight * shared, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        similarity = np.where(norm > 0, np.clip(dot / (norm * wanted_norm), 0.0, 1.0), np.nan)

    # The shared words of each account, alphabetically.
    documents = terms.document[is_shared]
    words = word_index[is_shared]
    order = np.lexsort((words, documents))
    offsets = np.zeros(size + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(np.bincount(documents, minlength=size))
    lists = pa.ListArray.from_arrays(pa.array(offsets), wanted_words.take(pa.array(words[order])))
    return similarity, pc.binary_join(lists, ", ")
