"""The keyword index: BM25 over title, authors and abstract with field weights (tantivy).

tantivy was chosen by measurement (1M papers: p50 1-2 ms, 0.4 GB, against SQLite FTS5's
8-164 ms and 2.5 GB). Every commit is atomic, so a crash mid-update leaves the last
committed state. Queries are built from ``ParsedQuery`` objects, never from user text.

All text goes into one field, ``text``: the title ``TITLE_REPEAT`` times, the authors twice,
then the abstract. Repetition gives the field weights, and a query is a flat disjunction of
plain term queries on one field, which tantivy answers with block-max WAND (nested, boosted
per-field queries were 10x slower at 1M papers). ``authors`` is kept apart for ``author:``.

Filters live in the index too: ``day`` (days since 1970, fast), ``cats`` and ``org``
(lowercased raw terms), ``code`` (0/1) and ``key`` (``paper_key`` of the id, fast, which
the vector search uses to restrict its candidates). Every constraint of a ``SearchQuery``
becomes a required (or, for exclusions, prohibited) clause of the same tantivy query, so a
filtered search is as exact as an unfiltered one. An index written with an older schema
(``SCHEMA_VERSION``) is reported by ``outdated`` and rebuilt by the indexer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import tantivy

from paperwire.search.keysets import MAX_KEYS, KeySets, build_constraint_key, build_membership
from paperwire.search.query import SearchQuery
from paperwire.search.query_terms import ParsedQuery, analyze, name_analyzer, stem_analyzer
from paperwire.search.records import SearchFilters, paper_key

TITLE_REPEAT = 3
PHRASE_BOOST = 2.0
PREFIX_BOOST = 0.5
COUNT_POSTINGS = 50_000  # more postings than this to visit: the count is estimated
KEYS_AS_TERMS = 1000  # up to this many papers named by key: one term query each
PREFIX_TERMS = 8  # completions of a word being typed, the most frequent first
WRITER_HEAP = 1_000_000_000  # a ceiling, taken as used: 1M papers fit in two segments
SCHEMA_VERSION = "2"
VERSION_FILE = "paperwire-schema"
NO_DAY = -10_000_000  # the day of a paper without a date: outside every date range
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class KeywordDoc:
    """What the keyword index stores about one paper."""

    paper_id: str
    title: str
    summary: str
    authors: str
    day: date | None = None
    categories: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()  # lowercased short and full names
    has_code: bool = False


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", tokenizer_name="pw_stem")
    builder.add_text_field("authors", tokenizer_name="pw_names", index_option="basic")
    builder.add_unsigned_field("key", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("cats", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("org", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("code", indexed=True, fast=True)
    return builder.build()


def outdated(path: Path) -> bool:
    """Whether ``path`` holds an index written with another schema than this one."""
    marker = path / VERSION_FILE
    if not (path / "meta.json").is_file():
        return False
    return not marker.is_file() or marker.read_text().strip() != SCHEMA_VERSION


def build_day(day: date | None) -> int:
    return NO_DAY if day is None else (day - EPOCH).days


def build_document(doc: KeywordDoc) -> tantivy.Document:
    document = tantivy.Document(id=doc.paper_id, text=build_text(doc), authors=doc.authors)
    document.add_unsigned("key", paper_key(doc.paper_id))
    document.add_integer("day", build_day(doc.day))
    document.add_unsigned("code", int(doc.has_code))
    for category in dict.fromkeys(c.lower() for c in doc.categories):
        document.add_text("cats", category)
    for name in doc.organizations:
        document.add_text("org", name)
    return document


class KeywordIndex:
    """One tantivy index in a folder (created when missing)."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if not (path / "meta.json").is_file():
            (path / VERSION_FILE).write_text(SCHEMA_VERSION)
        self.path = path
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.index.register_tokenizer("pw_stem", stem_analyzer())
        self.index.register_tokenizer("pw_names", name_analyzer())
        self.keysets = KeySets()
        self._writes = 0

    def write(self, docs: Iterable[KeywordDoc], threads: int = 1) -> int:
        """Add or replace documents (by paper id) and commit once; return how many."""
        writer = self.index.writer(WRITER_HEAP, threads)
        count = 0
        try:
            for doc in docs:
                writer.delete_documents_by_term("id", doc.paper_id)
                writer.add_document(build_document(doc))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        self._writes += 1
        return count

    def search(self, query: SearchQuery | ParsedQuery, limit: int) -> list[tuple[str, float]]:
        """(paper id, BM25 score) best first, constraints applied; a query with nothing to
        rank by finds nothing (see ``browse``)."""
        query = as_search_query(query)
        searcher = self.index.searcher()
        built = self.build_query(query, searcher)
        if built is None or limit <= 0 or not (query.parsed.terms or query.parsed.phrases
                                               or query.parsed.prefix):
            return []
        hits = searcher.search(built, limit=limit, count=False).hits
        return [(str(searcher.doc(addr)["id"][0]), float(score)) for score, addr in hits]

    def count(self, query: SearchQuery | None = None) -> int:
        """How many papers match ``query`` (every paper without one). Counting visits every
        posting of every word (no skipping, unlike the top results), so loose words whose
        postings add up to more than ``COUNT_POSTINGS`` are estimated instead, as if the
        words occurred independently: what "About N results" shows."""
        searcher = self.index.searcher()
        if query is None:
            return int(searcher.num_docs)
        built = self.build_query(query, searcher)
        if built is None:
            return 0
        if not query.constrained:
            words = [*query.parsed.terms, *self._completions(query.parsed, searcher)]
            freqs = [int(searcher.doc_freq("text", w)) for w in words]
            if sum(freqs) > COUNT_POSTINGS:
                return estimate_union(freqs, int(searcher.num_docs))
        return int(searcher.search(built, limit=1, count=True).count)  # type: ignore[attr-defined]

    def browse(self, query: SearchQuery, limit: int, offset: int = 0
               ) -> list[tuple[str, float]]:
        """The papers satisfying the constraints, newest first (score: the day number)."""
        searcher = self.index.searcher()
        built = self.constraint_query(query) or tantivy.Query.all_query()
        if limit <= 0:
            return []
        hits = searcher.search(built, limit=limit, offset=offset, count=False,
                               order_by_field="day", order=tantivy.Order.Desc).hits
        return [(str(searcher.doc(addr)["id"][0]), float(day)) for day, addr in hits]

    def matching_keys(self, query: SearchQuery, cap: int
                      ) -> tuple[int, npt.NDArray[np.uint64] | None]:
        """How many papers satisfy the constraints, and their keys (sorted) when at most
        ``cap``; sets of up to ``keysets.MAX_KEYS`` are kept for the next queries."""
        searcher = self.index.searcher()
        built = self.constraint_query(query)
        if built is None:
            return int(searcher.num_docs), None
        total, keys = self._kept_keys(query, built, searcher)
        return total, keys if total <= cap else None

    def _kept_keys(self, query: SearchQuery, built: tantivy.Query, searcher: tantivy.Searcher
                   ) -> tuple[int, npt.NDArray[np.uint64] | None]:
        """The total and sorted keys (None past ``MAX_KEYS``) of ``built``, read once per
        constraint set and state of the index."""
        generation = (self._writes, int(searcher.num_docs), int(searcher.num_segments))
        return self.keysets.get(build_constraint_key(query), generation,
                                lambda: self._read_keys(built, searcher, MAX_KEYS))

    @staticmethod
    def _read_keys(built: tantivy.Query, searcher: tantivy.Searcher, cap: int
                   ) -> tuple[int, npt.NDArray[np.uint64] | None]:
        total = int(searcher.search(built, limit=1, count=True).count)  # type: ignore[attr-defined]
        if total > cap or total == 0:
            return total, None if total else np.zeros(0, np.uint64)
        hits = searcher.search(built, limit=total, count=False).hits
        keys = searcher.fast_field_values("key", [addr for _score, addr in hits])
        return total, np.asarray(keys, dtype=np.uint64)

    def accepted_keys(self, query: SearchQuery, keys: npt.NDArray[np.uint64]
                      ) -> npt.NDArray[np.bool_]:
        """Which of ``keys`` name papers that satisfy the constraints (from the kept set of
        matching keys when there is one, else by asking the index)."""
        built = self.constraint_query(query)
        if built is None or len(keys) == 0:
            return np.ones(len(keys), dtype=bool)
        searcher = self.index.searcher()
        _total, members = self._kept_keys(query, built, searcher)
        if members is not None:
            return build_membership(members, keys)
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, self._keys_query(keys)),
                                            (tantivy.Occur.Must, built)])
        hits = searcher.search(both, limit=len(keys), count=False).hits
        found = searcher.fast_field_values("key", [addr for _score, addr in hits])
        return np.isin(keys, np.asarray(found, dtype=np.uint64))

    def well_matched(self, query: SearchQuery, paper_ids: list[str]) -> set[str]:
        """The papers among ``paper_ids`` that contain more than half of the query's words
        (a quoted phrase counts as one word, and always matches). One search: the papers
        are required, and each word adds 1 to the score of those containing it."""
        terms = query.parsed.terms
        wanted = len(terms) + len(query.parsed.phrases)
        need = wanted // 2 + 1 - len(query.parsed.phrases)
        if need <= 0 or not paper_ids:
            return set(paper_ids)
        among = self._keys_query([paper_key(pid) for pid in paper_ids])
        counting = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(among, 0.0))]
            + [(tantivy.Occur.Should, tantivy.Query.const_score_query(
                tantivy.Query.term_query(self.schema, "text", term), 1.0)) for term in terms])
        searcher = self.index.searcher()
        hits = searcher.search(counting, limit=len(paper_ids), count=False).hits
        keys = searcher.fast_field_values("key", [addr for _score, addr in hits])
        enough = {key for key, (score, _addr) in zip(keys, hits, strict=True)
                  if score >= need - 0.5}
        return {pid for pid in paper_ids if paper_key(pid) in enough}

    def _keys_query(self, keys: Iterable[int]) -> tantivy.Query:
        """The papers with these keys: a disjunction of term queries for up to
        ``KEYS_AS_TERMS`` keys (a term set scans the whole ``key`` column: 4 ms at 200,000
        papers for 100 keys, against 0.7 ms), a term set beyond (cheaper for thousands)."""
        values = [int(k) for k in keys]
        if len(values) > KEYS_AS_TERMS:
            return tantivy.Query.term_set_query(self.schema, "key", values)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "key", k))
             for k in values])

    def build_query(self, query: SearchQuery, searcher: tantivy.Searcher
                    ) -> tantivy.Query | None:
        """The ranking words (should) under the constraints (must / must not)."""
        parsed = query.parsed
        should = [tantivy.Query.term_query(self.schema, "text", t) for t in parsed.terms]
        should += [self._phrase(p) for p in parsed.phrases]
        if parsed.prefix and not parsed.phrases:
            should += [tantivy.Query.boost_query(tantivy.Query.term_query(
                self.schema, "text", term), PREFIX_BOOST)
                for term in self._completions(parsed, searcher)]
        constraint = self.constraint_query(query)
        if not should:
            return constraint
        ranking = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])
        if constraint is None:
            return ranking
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, constraint),
                                            (tantivy.Occur.Must, ranking)])

    def constraint_query(self, query: SearchQuery) -> tantivy.Query | None:
        """Everything that must hold, as one query (None when nothing is required)."""
        must = [self._phrase(p) for p in query.parsed.phrases]
        must += [tantivy.Query.term_query(self.schema, "authors", n)
                 for n in query.parsed.authors]
        must += self._filter_clauses(query.filters)
        must_not = [self._phrase(words) if len(words) > 1 else
                    tantivy.Query.term_query(self.schema, "text", words[0])
                    for words in query.excluded]
        if not must and not must_not:
            return None
        if not must:
            must = [tantivy.Query.all_query()]
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, q) for q in must]
            + [(tantivy.Occur.MustNot, q) for q in must_not])

    def _filter_clauses(self, filters: SearchFilters) -> list[tantivy.Query]:
        clauses: list[tantivy.Query] = []
        if filters.date_from or filters.date_to:
            clauses.append(tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer,
                build_day(filters.date_from) if filters.date_from else NO_DAY + 1,
                build_day(filters.date_to) if filters.date_to else 10_000_000))
        for field, values in (("cats", filters.category_names), ("org", filters.org_names)):
            if values:
                clauses.append(tantivy.Query.term_set_query(self.schema, field, list(values)))
        if filters.has_code:
            clauses.append(tantivy.Query.term_query(self.schema, "code", 1))
        return clauses

    def suggestions(self, words: Iterable[str], limit: int = 3) -> list[tuple[str, str]]:
        """(word, known term) pairs: for each stemmed word the index does not know, the
        most frequent indexed term within a small edit distance."""
        searcher = self.index.searcher()
        found: list[tuple[str, str]] = []
        for word in words:
            if len(word) < 3 or searcher.doc_freq("text", word) > 0:
                continue
            best = nearest_term(word, searcher.terms_with_prefix("text", word[:1], limit=20_000))
            if best is not None:
                found.append((word, best))
            if len(found) >= limit:
                break
        return found

    def _completions(self, parsed: ParsedQuery, searcher: tantivy.Searcher) -> list[str]:
        """The most frequent indexed words that complete the last word as typed, when that
        word is not a known word itself (then it is complete, and already a term)."""
        prefix = parsed.prefix or ""
        stems = analyze(prefix)
        if not stems or searcher.doc_freq("text", stems[-1]) > 0:
            return []
        found = searcher.terms_with_prefix("text", prefix, limit=PREFIX_TERMS)
        return [str(term) for term, _count in found if term not in parsed.terms]

    def _phrase(self, words: tuple[str, ...]) -> tantivy.Query:
        return tantivy.Query.boost_query(
            tantivy.Query.phrase_query(self.schema, "text", list(words)), PHRASE_BOOST)


def build_text(doc: KeywordDoc) -> str:
    """The one indexed text of a paper; the title repeated to weigh more."""
    return "\n".join([*[doc.title] * TITLE_REPEAT, doc.authors, doc.authors, doc.summary])


def estimate_union(freqs: list[int], papers: int) -> int:
    """About how many of ``papers`` hold at least one of words with these document
    frequencies, were the words independent (never fewer than the commonest word's)."""
    missing = 1.0
    for freq in freqs:
        missing *= 1.0 - min(freq, papers) / max(papers, 1)
    return max(max(freqs, default=0), round(papers * (1.0 - missing)))


def as_search_query(query: SearchQuery | ParsedQuery) -> SearchQuery:
    if isinstance(query, SearchQuery):
        return query
    return SearchQuery("", query, SearchFilters())


def nearest_term(word: str, terms: Iterable[tuple[str, int]]) -> str | None:
    """The most frequent term within edit distance 1 (2 for words of 7+ letters)."""
    allowed = 2 if len(word) >= 7 else 1
    best: tuple[int, int, str] | None = None
    for term, count in terms:
        if abs(len(term) - len(word)) > allowed or not term.isalpha():
            continue
        distance = edit_distance(word, term, allowed)
        if distance <= allowed and (best is None or (distance, -count) < best[:2]):
            best = (distance, -count, term)
    return None if best is None else best[2]


def edit_distance(a: str, b: str, ceiling: int) -> int:
    """Levenshtein distance, or ``ceiling + 1`` once it is certainly above ``ceiling``."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        if min(current) > ceiling:
            return ceiling + 1
        previous = current
    return previous[-1]
