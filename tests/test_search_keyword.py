"""The keyword index on its own: the word being typed is completed from the index."""

from __future__ import annotations

from pathlib import Path

from paperwire.search.keyword import KeywordDoc, KeywordIndex
from paperwire.search.text import parse_query

DOCS = [
    KeywordDoc("p1", "Vector quantization for retrieval", "We compress embeddings.", "A. One"),
    KeywordDoc("p2", "Graphene sheets", "Conductivity of carbon layers.", "B. Two"),
    KeywordDoc("p3", "Graph neural networks", "Message passing on graphs.", "C. Three"),
]


def found(index: KeywordIndex, text: str) -> list[str]:
    return [pid for pid, _score in index.search(parse_query(text), 10)]


def test_an_unfinished_last_word_is_completed(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    index.write(DOCS)
    assert found(index, "retri") == ["p1"]
    assert found(index, "networ") == ["p3"]
    assert found(index, "retri ") == []  # a finished word is not completed


def test_a_known_word_is_not_widened_to_its_completions(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    index.write(DOCS)
    assert found(index, "graph") == ["p3"]
