"""The Hugging Face papers API JSON (pure parsing).

Accepts a daily_papers item (``{"paper": {...}, "publishedAt": ..., ...}``), a search item
(the same shape plus highlights) or a bare paper object (``{"id": ..., "title": ...}``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from paperwire.ids import derived_id, is_arxiv_id, parse_arxiv_id
from paperwire.links import safe_link
from paperwire.models import Author, DailySubmission, IncomingPaper, Organization, Paper
from paperwire.sources.records import RecordInvalid, parse_iso_datetime
from paperwire.text import clean_text


def parse_datetime(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"{field} must be a date-time string, got {type(value).__name__}")
    return parse_iso_datetime(value, field)


def _text(obj: dict[str, Any], key: str, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise RecordInvalid(f"missing field {key!r}")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RecordInvalid(f"field {key!r} must be text, got {type(value).__name__}")
    return clean_text(str(value))


def _authors(paper: dict[str, Any]) -> tuple[Author, ...]:
    raw = paper.get("authors") or []
    if not isinstance(raw, list):
        raise RecordInvalid("field 'authors' must be a list")
    authors = []
    for entry in raw:
        if isinstance(entry, str):
            authors.append(Author(clean_text(entry)))
        elif isinstance(entry, dict) and entry.get("name"):
            user = entry.get("user") if isinstance(entry.get("user"), dict) else None
            authors.append(Author(clean_text(str(entry["name"])), bool(entry.get("hidden")),
                                  str(user["user"]) if user and user.get("user") else None))
    return tuple(authors)


def _link(obj: dict[str, Any], key: str, problems: list[str]) -> str | None:
    """An http(s) URL field; anything else is noted in ``problems`` and left out."""
    text = _text(obj, key)
    if not text:
        return None
    link = safe_link(text)
    if link is None:
        problems.append(f"field {key!r} {text[:60]!r} is not an http(s) URL (left out)")
    return link


def _organization(item: dict[str, Any], problems: list[str]) -> Organization | None:
    org = item.get("organization")
    if not isinstance(org, dict) or not org.get("name"):
        return None
    name = clean_text(str(org["name"]))
    return Organization(name, clean_text(str(org.get("fullname") or name)),
                        _link(org, "avatar", problems))


def _paper_id(raw: Any) -> tuple[str, int | None]:
    if not isinstance(raw, (str, int)) or not str(raw).strip():
        raise RecordInvalid("missing field 'id'")
    text = str(raw).strip()
    if is_arxiv_id(text):
        parsed = parse_arxiv_id(text)
        return parsed.base, parsed.version
    if len(text) > 200 or any(c in text for c in "?#\\\x00") or not text.isprintable():
        raise RecordInvalid(f"id {text[:40]!r} is not a usable paper id")
    return text, None


def parse_hf_item(item: Any, zone: Any = UTC) -> IncomingPaper:
    """One HF item (daily/search item or bare paper) as an IncomingPaper."""
    if not isinstance(item, dict):
        raise RecordInvalid(f"expected an object, got {type(item).__name__}")
    paper_obj: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    title = _text(paper_obj, "title") or _text(item, "title", required=True)
    if "id" in paper_obj:
        pid, version = _paper_id(paper_obj["id"])
        derived = False
    else:
        pid, version, derived = derived_id(title), None, True
    upvotes = paper_obj.get("upvotes", 0)
    problems: list[str] = []
    paper = Paper(
        id=pid,
        version=version,
        title=title,
        summary=_text(paper_obj, "summary") or _text(item, "summary"),
        authors=_authors(paper_obj),
        published_at=parse_datetime(paper_obj.get("publishedAt"), "paper.publishedAt"),
        github_repo=_link(paper_obj, "githubRepo", problems),
        github_stars=_int(paper_obj.get("githubStars")),
        project_page=_link(paper_obj, "projectPage", problems),
        ai_keywords=tuple(str(k) for k in paper_obj.get("ai_keywords") or () if k),
        imported_upvotes=_int(upvotes) or 0,
        withdrawn_at=parse_datetime(paper_obj.get("withdrawnAt"), "paper.withdrawnAt"),
        pdf_url=f"https://arxiv.org/pdf/{pid}" if is_arxiv_id(pid) else None,
        source="hf",
    )
    daily_at = parse_datetime(
        paper_obj.get("submittedOnDailyAt") or (item.get("publishedAt") if item is not paper_obj
                                                 else None), "publishedAt")
    daily = None
    if daily_at is not None:
        by = item.get("submittedBy") or paper_obj.get("submittedOnDailyBy")
        submitter = by.get("user") or by.get("fullname") if isinstance(by, dict) else None
        daily = DailySubmission(pid, daily_at.astimezone(zone).date(), daily_at,
                                str(submitter) if submitter else None)
    return IncomingPaper(paper, daily=daily, organization=_organization(item, problems),
                         id_is_derived=derived, problems=tuple(problems))


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return max(value, 0)
    raise RecordInvalid(f"expected a whole number, got {value!r}")
