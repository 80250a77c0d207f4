"""Community use cases: upvotes, submissions to the daily list, comments, trending, profiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SourceError
from paperwire.ids import parse_arxiv_id
from paperwire.models import DailyEntry, DailySubmission, IncomingPaper, Page, Paper
from paperwire.models_community import Comment, User, VoteResult
from paperwire.periods import human_date
from paperwire.ranking import TRENDING_WINDOW_DAYS, rank_trending
from paperwire.storage import Store

MAX_COMMENT = 10_000
MAX_SUBMIT_COMMENT = 1_000
LIST_SORTS = ("trending", "top", "new", "comments")
TOP_WINDOWS = {"day": 1, "week": 7, "month": 31, "all": None}
CANDIDATES = 2_000
SQL_SORTS = {"top": "upvotes", "new": "publishedAt", "comments": "comments"}


class PaperFetcher(Protocol):
    """Fetches one paper's metadata from arXiv (the ingest capability provides one)."""

    def fetch_paper(self, arxiv_id: str) -> IncomingPaper | None: ...


def _paper_or_404(store: Store, paper_id: str) -> Paper:
    paper = store.get_paper(paper_id)
    if paper is None:
        raise NotFound(f"paper {paper_id[:80]!r} is not in the catalog")
    return paper


# -- upvotes ---------------------------------------------------------------------------
def set_upvote(store: Store, user: User, paper_id: str, on: bool = True) -> VoteResult:
    """Put the user's upvote on (or off); repeating the same request changes nothing."""
    paper = _paper_or_404(store, paper_id)
    return store.set_vote(user.id, paper.id, on, now_utc())


# -- submissions -----------------------------------------------------------------------
def today(settings: Settings) -> date:
    return now_utc().astimezone(settings.zone).date()


def _find_or_fetch(store: Store, fetcher: PaperFetcher | None, arxiv_id: str) -> Paper:
    paper = store.get_paper(arxiv_id)
    if paper is None and (alias := store.resolve_alias(arxiv_id)) is not None:
        paper = store.get_paper(alias)
    if paper is not None:
        return paper
    if fetcher is None:
        raise SourceError("this site cannot fetch papers from arXiv; ask an administrator")
    incoming = fetcher.fetch_paper(arxiv_id)
    if incoming is None:
        raise NotFound(f"arXiv has no paper {arxiv_id!r}")
    store.upsert_papers([IncomingPaper(incoming.paper, organization=incoming.organization)])
    return _paper_or_404(store, arxiv_id)


def check_submission(store: Store, settings: Settings, user: User, comment: str) -> date:
    """Today's date when ``user`` may submit one more paper with ``comment``."""
    if len(comment) > MAX_SUBMIT_COMMENT:
        raise InvalidInput(f"comment must have at most {MAX_SUBMIT_COMMENT} characters",
                           field="comment")
    day = today(settings)
    if store.count_user_submissions(user.username, day) >= settings.submissions_per_day:
        raise PermissionDenied(f"you can submit at most {settings.submissions_per_day} papers "
                               "a day; try again tomorrow")
    return day


def submit_paper(store: Store, settings: Settings, fetcher: PaperFetcher | None, user: User,
                 reference: str, comment: str = "") -> DailyEntry:
    """Put a paper (arXiv id or URL) on today's daily list, fetching it when new."""
    try:
        arxiv_id = parse_arxiv_id(reference.strip()[:300]).base
    except InvalidInput as exc:
        raise InvalidInput(f"{reference[:80]!r} is not an arXiv id or URL", field="paper") from exc
    day = check_submission(store, settings, user, comment)
    paper = _find_or_fetch(store, fetcher, arxiv_id)
    submission = DailySubmission(paper.id, day, now_utc(), user.username, comment.strip() or None)
    outcome = store.submit_daily(submission, settings.submissions_per_day)
    if outcome == "limit":
        raise PermissionDenied(f"you can submit at most {settings.submissions_per_day} papers "
                               "a day; try again tomorrow")
    if outcome == "duplicate":
        entry = store.get_daily_entry(paper.id)
        when = f" of {entry.day.isoformat()}" if entry else ""
        raise Conflict(f"paper {paper.id} is already on the daily list{when}")
    entry = store.get_daily_entry(paper.id)
    assert entry is not None
    return entry


# -- listings --------------------------------------------------------------------------
@dataclass(frozen=True)
class CommunityListing:
    sort: str
    window: str
    page: Page[DailyEntry]
    note: str | None = None


def check_list_sort(sort: str, window: str) -> None:
    if sort not in LIST_SORTS:
        raise InvalidInput(f"sort {sort[:30]!r} is not one of {', '.join(LIST_SORTS)}",
                           field="sort")
    if window not in TOP_WINDOWS:
        raise InvalidInput(f"t {window[:30]!r} is not one of {', '.join(TOP_WINDOWS)}",
                           field="t")


def community_listing(store: Store, settings: Settings, sort: str = "trending",
                      window: str = "week", page: int = 0, limit: int = 30) -> CommunityListing:
    """Daily-list papers of the last day/week/month (or all) in the order of ``sort``.

    Trending always ranks the papers listed in the last TRENDING_WINDOW_DAYS days (at most
    CANDIDATES of them, the most upvoted) by the score of ``ranking.py``. When that window has
    no papers, the window ends on the most recent day that has some, and ``note`` says so."""
    check_list_sort(sort, window)
    since, until, note = _list_window(store, settings, sort, window)
    if sort == "trending":
        ranked = _trending(store, settings, since, until)
        items = tuple(ranked[page * limit:(page + 1) * limit])
        return CommunityListing(sort, window, Page(items, len(ranked), page, limit), note)
    entries = store.list_daily(since, until, sort=SQL_SORTS[sort], offset=page * limit,
                               limit=limit)
    total = store.count_daily(since, until)
    return CommunityListing(sort, window, Page(tuple(entries), total, page, limit), note)


def community_entries(store: Store, settings: Settings, sort: str = "trending",
                      window: str = "week") -> tuple[list[DailyEntry], str | None]:
    """Every entry of the list ``community_listing`` pages through, in its order, and its
    note."""
    check_list_sort(sort, window)
    since, until, note = _list_window(store, settings, sort, window)
    if sort == "trending":
        return _trending(store, settings, since, until), note
    total = store.count_daily(since, until)
    return store.list_daily(since, until, sort=SQL_SORTS[sort], offset=0, limit=total), note


def _list_window(store: Store, settings: Settings, sort: str,
                 window: str) -> tuple[date, date, str | None]:
    days = TRENDING_WINDOW_DAYS if sort == "trending" else TOP_WINDOWS[window]
    return _window(store, settings, days)


def _trending(store: Store, settings: Settings, since: date, until: date) -> list[DailyEntry]:
    candidates = store.list_daily(since, until, sort="upvotes", offset=0, limit=CANDIDATES)
    return rank_trending(candidates, now_utc(), settings.trending_gravity)


def _window(store: Store, settings: Settings, days: int | None) -> tuple[date, date, str | None]:
    """(first day, last day, note) of a list of the last ``days`` days (None: all time)."""
    end = today(settings)
    if days is None:
        return date.min, date.max, None
    since = end - timedelta(days=days - 1)
    if store.count_daily(since, date.max):
        return since, date.max, None
    _, last = store.daily_days()
    if last is None or last >= since:
        return since, date.max, None
    first = last - timedelta(days=days - 1)
    span = "day" if days == 1 else f"{days} days"
    return first, last, (f"No papers were listed in the last {span}; showing the {span} up to "
                         f"{human_date(last)}, the most recent with papers.")


# -- comments --------------------------------------------------------------------------
@dataclass
class CommentNode:
    comment: Comment
    children: list[CommentNode] = field(default_factory=list)


def comment_tree(store: Store, paper_id: str) -> list[CommentNode]:
    """Threads of a paper; removed comments stay as placeholders when they have replies."""
    nodes = {c.id: CommentNode(c) for c in store.list_comments(paper_id)}
    roots: list[CommentNode] = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id or -1)
        (parent.children if parent else roots).append(node)
    return _prune(roots)


def _prune(nodes: list[CommentNode]) -> list[CommentNode]:
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.comment.visible or node.children:
            kept.append(node)
    return kept


def _check_body(body: str) -> str:
    body = body.replace("\x00", "").strip()
    if not body:
        raise InvalidInput("comment is empty", field="body")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(f"comment must have at most {MAX_COMMENT} characters", field="body")
    return body


def add_comment(store: Store, user: User, paper_id: str, body: str,
                parent_id: int | None = None) -> int:
    paper = _paper_or_404(store, paper_id)
    if parent_id is not None:
        parent = store.get_comment(parent_id)
        if parent is None or parent.paper_id != paper.id or not parent.visible:
            raise InvalidInput("the comment replied to does not exist", field="parent_id")
    return store.add_comment(paper.id, user.id, parent_id, _check_body(body), now_utc())


def own_comment(store: Store, user: User, comment_id: int) -> Comment:
    comment = store.get_comment(comment_id)
    if comment is None or not comment.visible:
        raise NotFound(f"comment {comment_id} does not exist")
    if comment.username != user.username:
        raise PermissionDenied("you can only change your own comments")
    return comment


def edit_comment(store: Store, user: User, comment_id: int, body: str) -> Comment:
    comment = own_comment(store, user, comment_id)
    store.edit_comment(comment.id, _check_body(body), now_utc())
    return comment


def delete_comment(store: Store, user: User, comment_id: int) -> Comment:
    comment = own_comment(store, user, comment_id)
    store.remove_comment(comment.id, now_utc(), hide=False)
    return comment


def hide_comment(store: Store, user: User, comment_id: int) -> Comment:
    if not user.is_admin:
        raise PermissionDenied("only administrators can hide comments")
    comment = store.get_comment(comment_id)
    if comment is None:
        raise NotFound(f"comment {comment_id} does not exist")
    store.remove_comment(comment.id, now_utc(), hide=True)
    return comment


# -- profiles --------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    user: User
    submitted: list[DailyEntry]
    upvoted: list[Paper]
    comments: list[Comment]
    titles: dict[str, str] = field(default_factory=dict)  # paper id -> title, for comments


def profile(store: Store, username: str, limit: int = 50) -> Profile:
    user = store.get_user_by_name(username[:64])
    if user is None:
        raise NotFound(f"no user named {username[:40]!r}")
    comments = store.list_user_comments(user.id, limit)
    commented = store.get_papers(sorted({c.paper_id for c in comments}))
    return Profile(user, store.list_submitted(user.username, limit),
                   store.list_upvoted(user.id, limit), comments,
                   {paper.id: paper.title for paper in commented})


# -- search feed -----------------------------------------------------------------------
class SearchEngine(Protocol):
    """The search capability's service: ``search(q, limit=n).hits[i].paper``."""

    def search(self, q: str, *, limit: int, refresh: bool) -> Any: ...


def search_papers(store: Store, engine: SearchEngine | None, query: str,
                  limit: int) -> list[Paper]:
    """Papers matching ``query``, best first: through the search service when the site has
    one, else a plain case-insensitive match on titles and abstracts."""
    query = query.replace("\x00", "").strip()[:250]
    if not query:
        return []
    if engine is not None:
        return [hit.paper for hit in engine.search(query, limit=limit, refresh=False).hits]
    return store.match_papers(query, limit)
