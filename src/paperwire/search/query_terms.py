"""Query parsing and highlighting (pure): the words a query asks for and where they occur.

User text never reaches a query parser: ``parse_query`` turns any string into plain terms,
quoted phrases and ``author:`` terms, and the keyword index builds its queries from those.
Words are compared after the same analysis the keyword index applies (lowercase + English
stemming), so highlights match what BM25 matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tantivy

MAX_QUERY_CHARS = 250
WORD = re.compile(r"[^\W_]+", re.UNICODE)
AUTHOR_PREFIX = re.compile(r"(?i)\bauthors?:\s*(\"[^\"]*\"?|\S+)")
PHRASE = re.compile(r"\"([^\"]*)\"?")
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "in",
    "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "there", "these",
    "this", "to", "was", "we", "were", "what", "when", "which", "with", "via", "using",
    "based",
})
# never highlighted (nor completed as a prefix): function words, whatever the query says
FUNCTION_WORDS = STOP_WORDS | frozenset({
    "about", "above", "after", "again", "against", "all", "also", "among", "any", "because",
    "been", "before", "being", "below", "between", "both", "but", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "further", "had", "having",
    "he", "her", "here", "hers", "him", "his", "i", "if", "more", "most", "much", "must",
    "no", "nor", "not", "now", "off", "once", "only", "other", "our", "ours", "out", "over",
    "own", "same", "she", "should", "so", "some", "such", "than", "then", "them", "they",
    "those", "through", "thus", "too", "under", "until", "up", "upon", "us", "very", "where",
    "whether", "while", "who", "whom", "why", "will", "within", "without", "would", "yet",
    "you", "your", "may", "might", "one", "two", "new", "across", "however", "therefore",
})
SNIPPET_CHARS = 320  # about three lines of a result
SNIPPET_LEAD = 60  # characters of context before the first matched word


@dataclass(frozen=True)
class ParsedQuery:
    """What a query string asks for: loose words, quoted phrases, author words, a prefix."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    authors: tuple[str, ...] = ()
    prefix: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.authors or self.prefix)


@lru_cache(maxsize=1)
def _stem_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


@lru_cache(maxsize=1)
def _name_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .build())


def stem_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of titles and abstracts (also registered on the keyword index)."""
    return _stem_analyzer()


def name_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of author names: lowercase words, no stemming."""
    return _name_analyzer()


def analyze(text: str) -> list[str]:
    """Stemmed, lowercased terms of ``text``, as the index stores them."""
    return list(_stem_analyzer().analyze(text))


def analyze_names(text: str) -> list[str]:
    return list(_name_analyzer().analyze(text))


def clean_query(raw: str) -> str:
    """The query with control characters turned into spaces (NUL included)."""
    return "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) else ch for ch in raw)


def parse_query(raw: str) -> ParsedQuery:
    """Split any string into terms, phrases, author words and a trailing prefix."""
    text = clean_query(raw)
    authors: list[str] = []
    for match in AUTHOR_PREFIX.finditer(text):
        authors.extend(analyze_names(match.group(1)))
    text = AUTHOR_PREFIX.sub(" ", text)
    phrases = []
    for match in PHRASE.finditer(text):
        words = tuple(analyze(match.group(1)))
        if len(words) > 1:
            phrases.append(words)
        elif words:
            text += " " + words[0]
    loose = PHRASE.sub(" ", text)
    terms = [t for t in analyze(loose) if t not in STOP_WORDS]
    prefix = _trailing_prefix(loose)
    return ParsedQuery(tuple(dict.fromkeys(terms)), tuple(phrases), tuple(authors), prefix)


def _trailing_prefix(text: str) -> str | None:
    """The last word as typed when the query does not end with a space (3+ letters)."""
    if not text or not text[-1].isalnum():
        return None
    words = WORD.findall(text)
    if not words or len(words[-1]) < 3:
        return None
    last: str = words[-1]
    return last.lower()[:40]


def query_words(parsed: ParsedQuery) -> frozenset[str]:
    """Every stemmed word a highlight should mark."""
    words = set(parsed.terms)
    for phrase in parsed.phrases:
        words.update(phrase)
    return frozenset(words)


def build_highlights(text: str, parsed: ParsedQuery) -> list[dict[str, str]]:
    """``text`` split into ``{"type": "text"|"highlight", "text": ...}`` parts (HF shape)."""
    return Highlighter(parsed).highlights(text)


def build_snippet(text: str, parsed: ParsedQuery,
                  width: int = SNIPPET_CHARS) -> list[dict[str, str]]:
    """About ``width`` characters of ``text`` around the densest run of matched words (the
    start when nothing matches), cut at word boundaries, highlighted, with ellipses."""
    return Highlighter(parsed).snippet(text, width)


class Highlighter:
    """The highlights of one query over many texts: each distinct word is stemmed and
    judged once, and each text is scanned once for both its highlights and its snippet."""

    def __init__(self, parsed: ParsedQuery) -> None:
        self.words = query_words(parsed)
        self.prefix = parsed.prefix
        # English stemming keeps the first letter of a word: only words starting like a
        # query word (or the prefix) can match, and only those are stemmed
        self._heads = frozenset(w[:1] for w in self.words) | (
            {self.prefix[:1]} if self.prefix else set())
        # the words of a text that may match: those starting with one of these letters
        self._candidates = re.compile(
            r"(?<![^\W_])[" + "".join(re.escape(h) for h in sorted(self._heads)) + r"][^\W_]*",
            re.IGNORECASE) if self._heads else None
        self._judged: dict[str, bool] = {}
        self._matched: set[str] = set()  # every matched word seen so far

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matched word of ``text``: the distinct words that start
        like a query word and were not seen before are judged, then each matched word of the
        text is found with ``str.find`` (a regular expression of the matched words would
        cost a compilation per newly matched word)."""
        if self._candidates is None:
            return []
        words = set(self._candidates.findall(text))
        for word in words.difference(self._judged):
            hit = self._judged[word] = word[:1].lower() in self._heads and _is_hit(
                word, self.words, self.prefix)
            if hit:
                self._matched.add(word)
        present = words.intersection(self._matched)
        if not present:
            return []
        return sorted(span for word in present for span in _whole_words(text, word))

    def highlights(self, text: str) -> list[dict[str, str]]:
        return build_parts(text, self.spans(text))

    def both(self, text: str, width: int = SNIPPET_CHARS
             ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """The highlighted text and its snippet, from one scan."""
        spans = self.spans(text)
        return build_parts(text, spans), self._snippet(text, spans, width)

    def snippet(self, text: str, width: int = SNIPPET_CHARS) -> list[dict[str, str]]:
        return self._snippet(text, self.spans(text), width)

    def _snippet(self, text: str, spans: list[tuple[int, int]],
                 width: int) -> list[dict[str, str]]:
        if len(text) <= width:
            return build_parts(text, spans)
        start = _densest_start([s for s, _e in spans], width)
        begin = 0 if start <= SNIPPET_LEAD else _word_start(text, start - SNIPPET_LEAD)
        end = _word_end(text, begin + width)
        while begin < end and text[begin].isspace():
            begin += 1
        stop = end
        while stop > begin and text[stop - 1].isspace():
            stop -= 1
        inner = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= stop]
        parts = build_parts(text[begin:stop], inner)
        if begin > 0:
            parts.insert(0, {"type": "text", "text": "… "})
        if end < len(text):
            parts.append({"type": "text", "text": " …"})
        return _merged(parts)


def _whole_words(text: str, word: str) -> list[tuple[int, int]]:
    """(start, end) of each occurrence of ``word`` in ``text`` that is a whole word as
    ``WORD`` cuts words (no letter or digit on either side)."""
    found: list[tuple[int, int]] = []
    size, length = len(word), len(text)
    at = text.find(word)
    while at >= 0:
        end = at + size
        if (at == 0 or not text[at - 1].isalnum()) and (end == length
                                                         or not text[end].isalnum()):
            found.append((at, end))
            at = text.find(word, end)
        else:
            at = text.find(word, at + 1)
    return found


def build_parts(text: str, spans: list[tuple[int, int]]) -> list[dict[str, str]]:
    """``text`` cut into text and highlight parts at ``spans`` (adjacent parts of one kind
    merged)."""
    parts: list[dict[str, str]] = []
    position = 0
    for start, end in spans:
        if start > position:
            parts.append({"type": "text", "text": text[position:start]})
        if start == position and parts and parts[-1]["type"] == "highlight":
            parts[-1]["text"] += text[start:end]
        elif end > start:
            parts.append({"type": "highlight", "text": text[start:end]})
        position = max(position, end)
    if position < len(text):
        parts.append({"type": "text", "text": text[position:]})
    return parts


def _densest_start(hits: list[int], width: int) -> int:
    """The matched position that begins the window of ``width`` with the most matches."""
    best, best_count, right = 0, 0, 0
    for left, position in enumerate(hits):
        while right < len(hits) and hits[right] < position + width - SNIPPET_LEAD:
            right += 1
        if right - left > best_count:
            best, best_count = position, right - left
    return best


def _word_start(text: str, at: int) -> int:
    space = text.rfind(" ", 0, at)
    return 0 if space < 0 else space + 1


def _word_end(text: str, at: int) -> int:
    if at >= len(text):
        return len(text)
    space = text.find(" ", at)
    return len(text) if space < 0 else space


def _merged(parts: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for part in parts:
        _append(out, part["type"], part["text"])
    return out


@lru_cache(maxsize=65_536)
def _stem_of(word: str) -> str:
    stems = analyze(word)
    return stems[0] if stems else ""


def _is_hit(word: str, words: frozenset[str], prefix: str | None) -> bool:
    lowered = word.lower()
    if lowered in FUNCTION_WORDS:
        return False
    if prefix and lowered.startswith(prefix):
        return True
    return bool(words) and _stem_of(word) in words


def _append(parts: list[dict[str, str]], kind: str, text: str) -> None:
    if not text:
        return
    if parts and parts[-1]["type"] == kind:
        parts[-1]["text"] += text
    elif kind == "text" or text:
        parts.append({"type": kind, "text": text})
