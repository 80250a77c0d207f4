"""Keywords of a paper, offline (pure): candidate phrases ranked by tf-idf against the catalog.

Method. A paper's title and abstract are cut into runs of words at punctuation and at stop
words (function words and the generic words of abstracts: "we", "propose", "results"...).
Every 1- to 3-word stretch of a run is a candidate phrase, once it has a letter and is not
a lone short word. A candidate scores ``tf * idf * length_bonus``: ``tf`` counts it in the
abstract, title occurrences counting twice; ``idf = ln((N + 1) / (df + 1)) + 1`` with ``df``
the number of catalog papers that contain it (``DocumentFrequencies``); two- and three-word
phrases get a bonus of 1.5 and 1.8, since a phrase names a topic better than a word. The best
candidates are kept, skipping one that overlaps a phrase already kept (a sub- or super-phrase),
and each is shown in its most frequent spelling in the paper.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

TOKEN = re.compile(r"[^\W_](?:[\w+.'-]*[^\W_])?|[.,;:!?()\[\]{}\"“”]", re.UNICODE)
BREAK = set(".,;:!?()[]{}\"“”")
STOP_WORDS = """
a about above across after again against all almost along also although am among an and another
any are as at be because been before being below between both but by can cannot could did do
does doing done down during each either enough even ever every few for from further had has
have having he her here hers herself him his how however i if in into is it its itself just
least less like made make makes many may me might more most much must my near neither no nor
not now of off often on once one only onto or other others our ours out over own per perhaps
quite rather same several she should since so some such than that the their theirs them then
there these they this those though through thus to too toward towards under until up upon us
very via was we well were what when where whether which while who whom whose why will with
within without would yet you your paper papers propose proposed proposes present presents
presented show shows shown showed study studies approach approaches method methods result
results work works new novel based using use used uses introduce introduces introduced existing
recent recently first second two three significant significantly furthermore moreover
additionally specifically including include includes achieve achieves achieved demonstrate
demonstrates experiments experimental extensive state-of-the-art outperforms outperform better
performance problem problems task tasks various different address key effective efficient
effectively large small high low however therefore end available code github https http www com
org built build builds annotated trained train provide provides allow allows enable enables
consist consists contain contains covering finding findings evaluate evaluated obtain obtained
hours
"""
STOP = frozenset(STOP_WORDS.split())
BONUS = {1: 1.0, 2: 1.5, 3: 1.8}
MAX_WORDS = 3
PRUNE_AT = 2_000_000


def parse_runs(text: str) -> list[list[str]]:
    """Runs of content words (original spelling), cut at punctuation and stop words."""
    runs: list[list[str]] = [[]]
    for token in TOKEN.findall(text):
        if token in BREAK or token.lower() in STOP or token.startswith("http"):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(token)
    return [run for run in runs if run]


def _useful(words: list[str]) -> bool:
    if not any(ch.isalpha() for w in words for ch in w):
        return False
    return len(words) > 1 or len(words[0]) > 3 or words[0].isupper()


def parse_candidates(text: str) -> Counter[str]:
    """Surface forms of every candidate phrase in ``text``, counted."""
    found: Counter[str] = Counter()
    for run in parse_runs(text):
        for size in range(1, MAX_WORDS + 1):
            for start in range(len(run) - size + 1):
                words = run[start:start + size]
                if _useful(words):
                    found[" ".join(words)] += 1
    return found


def phrase_key(phrase: str) -> str:
    return phrase.lower()


@dataclass
class DocumentFrequencies:
    """In how many documents each candidate phrase (lower-cased) occurs."""

    documents: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, text: str) -> None:
        self.documents += 1
        self.counts.update({phrase_key(p) for p in parse_candidates(text)})
        if len(self.counts) > PRUNE_AT:  # phrases seen once score as if unseen anyway
            self.counts = Counter({k: v for k, v in self.counts.items() if v > 1})

    def idf(self, key: str) -> float:
        return math.log((self.documents + 1) / (self.counts.get(key, 0) + 1)) + 1


def build_frequencies(texts: Iterable[str]) -> DocumentFrequencies:
    frequencies = DocumentFrequencies()
    for text in texts:
        frequencies.add(text)
    return frequencies


def paper_text(title: str, summary: str) -> str:
    return f"{title}. {summary}"


def build_keywords(title: str, summary: str, frequencies: DocumentFrequencies,
                   limit: int = 8) -> list[str]:
    """The ``limit`` best keywords of a paper (see the module's method)."""
    forms: dict[str, Counter[str]] = {}
    tf: Counter[str] = Counter()
    for text, weight in ((title, 2), (summary, 1)):
        for phrase, count in parse_candidates(text).items():
            key = phrase_key(phrase)
            tf[key] += weight * count
            forms.setdefault(key, Counter())[phrase] += count
    scored = sorted(tf, key=lambda k: (-tf[k] * frequencies.idf(k) * BONUS[len(k.split())], k))
    kept: list[str] = []
    for key in scored:
        if len(kept) >= limit:
            break
        if any(_overlaps(key, other) for other in kept):
            continue
        kept.append(key)
    return [forms[key].most_common(1)[0][0] for key in kept]


def _overlaps(a: str, b: str) -> bool:
    wa, wb = f" {a} ", f" {b} "
    return wa in wb or wb in wa
