"""Term counting on raw bytes: tokens, stop words, documents and hashes."""

import pyarrow as pa

from scoring.engine.terms import count_terms, words_of


def test_tokens_are_runs_of_letters_and_digits_in_any_script():
    words = words_of("Vegan café—fitness… #Yoga 2024 über, a I 🌱plants “quoted” the and")

    assert sorted(word for word, _ in words.values()) == [
        "2024",
        "café",
        "fitness",
        "plants",
        "quoted",
        "vegan",
        "yoga",
        "über",
    ]


def test_repeated_words_are_counted_once_per_document_with_their_count():
    words = words_of("vegan Vegan VEGAN travel")

    assert sorted(words.values()) == [("travel", 1), ("vegan", 3)]


def test_documents_never_share_a_token_across_their_boundary():
    texts = pa.array(["vegan", "fit", None, "", "ness vegan", "fitness"], type=pa.string())

    counts = count_terms(texts)

    assert counts.document.tolist() == [0, 1, 4, 4, 5]
    assert counts.count.tolist() == [1, 1, 1, 1, 1]
    vegan = counts.term[0]
    assert counts.term[(counts.document == 4)].tolist().count(vegan) == 1
    # "fit" + "ness" in neighbouring documents is not "fitness".
    assert counts.term[-1] not in set(counts.term[:-1].tolist())


def test_a_word_has_the_same_hash_wherever_it_appears():
    texts = pa.array(["x vegan", "a much longer text before vegan", "vegan"], type=pa.string())

    counts = count_terms(texts)

    vegan = next(iter(words_of("vegan")))
    assert (counts.term == vegan).sum() == 3


def test_short_words_never_share_a_hash():
    letters = "abcdefghijklmnopqrstuvwxyzäé0"
    words = [a + b for a in letters for b in letters]
    words += [a + b + c for a in letters for b in letters for c in "aeiou"]

    counts = count_terms(pa.array([" ".join(words)], type=pa.string()))

    # Every word is one term (stop words such as "an" or "of" are dropped first).
    stop_words = sum(1 for word in words if len(words_of(word)) == 0)
    assert len(set(counts.term.tolist())) == len(words) - stop_words
