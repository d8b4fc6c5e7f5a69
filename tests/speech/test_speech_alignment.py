"""Word alignment and WER (percent): substitutions, deletions, insertions; fixed and broken words."""

from __future__ import annotations

import pytest

from speechflows.speech.alignment import FileComparison, align, corpus_wer_percent, words_of


def test_counts_and_wer_in_percent() -> None:
    a = align("the quick brown fox jumps", "the quack brown fox fox")
    assert (a.substitutions, a.deletions, a.insertions) == (2, 0, 0)
    assert a.wer_percent == 40.0
    b = align("the quick brown fox", "quick brown the fox")
    assert b.errors == 2 and b.reference_words == 4 and b.wer_percent == 50.0
    c = align("one two three", "one three")
    assert (c.substitutions, c.deletions, c.insertions) == (0, 1, 0)
    assert c.highlighted() == "one ~~two~~ three"
    d = align("one two", "one uh two")
    assert (d.insertions, d.wer_percent) == (1, 50.0)
    assert d.highlighted() == "one **+uh** two"


def test_normalisation_ignores_case_and_punctuation() -> None:
    assert words_of("Don't stop, it's fine-tuned!") == ["don't", "stop", "it's", "fine-tuned"]
    assert align("Hello, World.", "hello world").errors == 0


@pytest.mark.parametrize(
    ("ref", "heard", "wer"), [("", "", 0.0), ("", "noise", 100.0), ("word", "", 100.0)]
)
def test_edges(ref: str, heard: str, wer: float) -> None:
    assert align(ref, heard).wer_percent == wer


def test_markdown_in_words_is_escaped() -> None:
    assert align("a_b", "c_d").highlighted() == "~~a\\_b~~ **c\\_d**"


def test_fixed_and_broken_words_and_the_change() -> None:
    ref = "please transfer my call to billing"
    c = FileComparison(
        "call.wav",
        ref,
        current=align(ref, "please transfer mike call to building"),
        candidate=align(ref, "please transfer my call billing"),
    )
    assert c.fixed == ["my", "billing"]
    assert c.broken == ["to"]
    assert c.change == "better"
    same = FileComparison("x.wav", ref, align(ref, ref), align(ref, "please transfer"))
    assert same.change == "worse" and same.fixed == []


def test_corpus_wer_weights_by_reference_words() -> None:
    long, short = align("a b c d e f g h i j", "a b c d e f g h i j"), align("x", "y")
    assert corpus_wer_percent([long, short]) == round(100 / 11, 2)
