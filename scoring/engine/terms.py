"""Term counting for relevance, on the raw UTF-8 bytes of a whole text column at once.

A token is a run of letters and digits: ASCII ``0-9a-z`` after lower-casing, plus any
non-ASCII character except the common punctuation and symbol blocks (Latin-1 punctuation
U+0080–U+00BF, general punctuation and symbols U+2000–U+2FFF, CJK punctuation
U+3000–U+303F, emoji U+1F000–U+1FFFF). One-character tokens and English stop words are
dropped.

Each token is identified by a 46-bit polynomial hash of its bytes, computed for all tokens
at once from prefix sums (mod 2^64). Splitting into lists of Python or Arrow strings would
cost about 100 ns per token; this costs a few ns per byte. Two different words share a
hash with negligible probability (about 2^-46 per pair of words).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HASH_BITS = 46
HASH_MASK = np.uint64((1 << HASH_BITS) - 1)
_BASE = 0x100000001B3  # odd, so invertible mod 2^64
_BASE_INVERSE = pow(_BASE, -1, 2**64)
_LENGTH_FACTOR = 0x9E3779B97F4A7C15
# A slice of documents is hashed at once; its document index must fit beside the hash in
# 64 bits (16 + 46), and its bytes bound the size of the cached power tables.
SLICE_BYTES = 1 << 20
SLICE_DOCUMENTS = 1 << 16


@dataclass
class TermCounts:
    """Unique (document, term) pairs, sorted by document then term hash (an order that does
    not depend on the other documents, so sums over it are reproducible chunk by chunk)."""

    document: np.ndarray  # int64
    term: np.ndarray  # uint64 hash
    count: np.ndarray  # float64


@cache
def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE^j and BASE^-j mod 2^64 for j < length (cached; lengths are rounded up)."""
    base = np.full(length, _BASE, dtype=np.uint64)
    base[0] = 1
    inverse = np.full(length, _BASE_INVERSE, dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(base, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)


def _buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (starting at 0) and UTF-8 bytes of a lower-cased, null-free string array."""
    lowered = pc.utf8_lower(pc.fill_null(texts, ""))
    offsets = np.frombuffer(lowered.buffers()[1], dtype=np.int32)
    offsets = offsets[lowered.offset : lowered.offset + len(lowered) + 1].astype(np.int64)
    data = np.frombuffer(lowered.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _token_bytes(data: np.ndarray) -> np.ndarray:
    is_token = (
        ((data >= ord("0")) & (data <= ord("9")))
        | ((data >= ord("a")) & (data <= ord("z")))
        | (data >= 0x80)
    )
    size = len(data)
    following = np.zeros((3, size), dtype=np.uint8)  # the next three bytes
    for step in range(1, min(4, size)):
        following[step - 1, : size - step] = data[step:]
    separators = (
        ((data == 0xC2) & (following[0] >= 0x80) & (following[0] <= 0xBF), 2),
        ((data == 0xE2), 3),
        ((data == 0xE3) & (following[0] == 0x80), 3),
        ((data == 0xF0) & (following[0] == 0x9F), 4),
    )
    for lead, width in separators:
        positions = np.flatnonzero(lead)
        for step in range(width):
            is_token[np.minimum(positions + step, size - 1)] = False
    return is_token


def _tokens(offsets: np.ndarray, data: np.ndarray):
    """Start, end (byte positions), document and hash of every token of a slice."""
    size = len(data)
    if size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0, dtype=np.uint64)
    is_token = _token_bytes(data)
    is_document_start = np.zeros(size + 1, dtype=bool)
    is_document_start[offsets[:-1]] = True
    before = np.zeros(size, dtype=bool)
    before[1:] = is_token[:-1]
    after = np.zeros(size, dtype=bool)
    after[:-1] = is_token[1:]
    starts = np.flatnonzero(is_token & (~before | is_document_start[:size]))
    ends = np.flatnonzero(is_token & (~after | is_document_start[1:])) + 1
    documents = np.searchsorted(offsets, starts, side="right") - 1

    hashes = _hashes(data, starts, ends)

    is_lead = (data & 0xC0) != 0x80
    characters = np.zeros(size + 1, dtype=np.int32)
    np.cumsum(is_lead, out=characters[1:])
    stop_words = _stop_word_hashes()
    nearest = stop_words[np.minimum(np.searchsorted(stop_words, hashes), len(stop_words) - 1)]
    keep = (characters[ends] - characters[starts] >= 2) & (nearest != hashes)
    return starts[keep], ends[keep], documents[keep], hashes[keep]


def _hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """46-bit hash of each byte range data[start:end], independent of where it sits."""
    size = len(data)
    powers, inverse_powers = _powers(1 << max(size.bit_length(), SLICE_BYTES.bit_length()))
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(data.astype(np.uint64) * inverse_powers[:size], out=prefix[1:])
    # (prefix[end] - prefix[start]) × BASE^start = Σ byte_j × BASE^-(j - start).
    hashes = (prefix[ends] - prefix[starts]) * powers[starts]
    hashes += (ends - starts).astype(np.uint64) * np.uint64(_LENGTH_FACTOR)
    # The first byte only reaches the low bits: mix every bit into every other (splitmix64's
    # finaliser, a bijection) before keeping the high bits.
    hashes ^= hashes >> np.uint64(30)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(27)
    hashes *= np.uint64(0x94D049BB133111EB)
    hashes ^= hashes >> np.uint64(31)
    return hashes >> np.uint64(64 - HASH_BITS)


@cache
def _stop_word_hashes() -> np.ndarray:
    # Imported lazily: scikit-learn is only needed when a target is given.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Every stop word is a single token of ASCII letters: hash each whole word.
    offsets, data = _buffers(pa.array(sorted(ENGLISH_STOP_WORDS), type=pa.string()))
    return np.unique(_hashes(data, offsets[:-1], offsets[1:]))


def _slices(offsets: np.ndarray) -> list[tuple[int, int]]:
    bounds = [0]
    documents = len(offsets) - 1
    while bounds[-1] < documents:
        start = bounds[-1]
        by_bytes = int(np.searchsorted(offsets, offsets[start] + SLICE_BYTES, side="right")) - 1
        bounds.append(min(documents, start + SLICE_DOCUMENTS, max(by_bytes, start + 1)))
    return list(itertools.pairwise(bounds))


def count_terms(texts: pa.Array) -> TermCounts:
    """Term counts of every document of ``texts`` (null is an empty document)."""
    offsets, data = _buffers(texts)
    documents, terms, counts = [], [], []
    for first, last in _slices(offsets):
        local = offsets[first : last + 1]
        _, _, document, hashes = _tokens(local - local[0], data[local[0] : local[-1]])
        # Documents come in order, so the (stable) sort only reorders within a document.
        keys = (document.astype(np.uint64) << np.uint64(HASH_BITS)) | hashes
        keys = np.sort(keys, kind="stable")
        is_first = np.ones(len(keys), dtype=bool)
        is_first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(is_first)
        counts.append(np.diff(np.append(starts, len(keys))).astype(np.float64))
        pairs = keys[starts]
        documents.append((pairs >> np.uint64(HASH_BITS)).astype(np.int64) + first)
        terms.append(pairs & HASH_MASK)
    if not documents:
        return TermCounts(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64), np.zeros(0))
    return TermCounts(np.concatenate(documents), np.concatenate(terms), np.concatenate(counts))


def words_of(text: str) -> dict[int, tuple[str, int]]:
    """The tokens of one (short) text: hash → (word, count)."""
    offsets, data = _buffers(pa.array([text], type=pa.string()))
    starts, ends, _, hashes = _tokens(offsets, data)
    words: dict[int, tuple[str, int]] = {}
    raw = data.tobytes()
    for start, end, value in zip(starts.tolist(), ends.tolist(), hashes.tolist(), strict=True):
        word, count = words.get(value, (raw[start:end].decode(), 0))
        words[value] = (word, count + 1)
    return words
