"""Query parsing and highlighting."""

from __future__ import annotations

from paperwire.search.query_terms import (
    Highlighter,
    build_highlights,
    build_snippet,
    parse_query,
)


def test_terms_are_stemmed_and_stop_words_dropped() -> None:
    parsed = parse_query("the transformers for retrieval ")
    assert parsed.terms == ("transform", "retriev")
    assert parsed.prefix is None


def test_quoted_phrase_and_author_prefix() -> None:
    parsed = parse_query('"mixture of experts" author:"Leonid Boytsov" routing')
    assert parsed.phrases == (("mixtur", "of", "expert"),)
    assert parsed.authors == ("leonid", "boytsov")
    assert "rout" in parsed.terms


def test_last_word_is_a_prefix_while_typing() -> None:
    assert parse_query("binary embed").prefix == "embed"
    assert parse_query("binary embed ").prefix is None
    assert parse_query("binary em").prefix is None


def test_operators_and_control_characters_are_plain_text() -> None:
    for raw in ['"', "*", "a-b", "don't", "title:x AND NOT y", "\x00", "(((", "$x<y$", "\\alpha"]:
        parse_query(raw)
    assert parse_query("title:x AND NOT y").terms == ("titl", "x", "not", "y")
    assert parse_query("\x00\x01").empty


def test_highlights_mark_stemmed_matches_in_the_hf_shape() -> None:
    parts = build_highlights("Binary Embedding-based Retrieval", parse_query("embeddings retrieval"))
    assert parts == [
        {"type": "text", "text": "Binary "},
        {"type": "highlight", "text": "Embedding"},
        {"type": "text", "text": "-based "},
        {"type": "highlight", "text": "Retrieval"},
    ]
    assert "".join(p["text"] for p in parts) == "Binary Embedding-based Retrieval"


def test_highlights_without_a_match_are_one_text_part() -> None:
    assert build_highlights("Nothing here", parse_query("zebra ")) == [
        {"type": "text", "text": "Nothing here"}]


def test_one_scan_gives_the_highlights_and_snippet_of_many_texts() -> None:
    parsed = parse_query("lying retrieval embed")
    marker = Highlighter(parsed)
    texts = ["Lying models and dense Retrieval_x retrieval-based embeddings.",
             "Why does lying hurt " + "filler words here " * 40 + "retrieving embedders?",
             "Nothing to see."]
    for text in texts:  # the same as the one-text functions, whatever came before
        full, snippet = marker.both(text)
        assert full == build_highlights(text, parsed)
        assert snippet == build_snippet(text, parsed)
        assert "".join(p["text"] for p in full) == text
    first = marker.highlights(texts[0])
    assert [p["text"] for p in first if p["type"] == "highlight"] == [
        "Lying", "Retrieval", "retrieval", "embeddings"]  # "lying" stems to "lie"
    snippet = marker.snippet(texts[1])
    assert snippet[0]["text"].startswith("… ")  # the densest window: the end
    assert [p["text"] for p in snippet if p["type"] == "highlight"] == [
        "retrieving", "embedders"]


def test_only_whole_words_are_marked_wherever_they_occur() -> None:
    marker = Highlighter(parse_query("learning"))  # the last word is also a prefix
    texts = ["Learning, re-learning and learning2 or learned_learning; unlearning LEARNING.",
             "learner learn learners learn"]
    marked = [[p["text"] for p in marker.highlights(t) if p["type"] == "highlight"]
              for t in texts]
    assert marked == [["Learning", "learning", "learning2", "learned", "learning", "LEARNING"],
                      ["learn", "learn"]]  # "learn" seen before, never inside "learner"
