"""Helpers of the personal-relevance tests: papers with categories and organizations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.models import Author, DailySubmission, IncomingPaper, Organization, Paper
from paperwire.models_community import User
from paperwire.services.community import today
from paperwire.storage.sqlite import SqliteStore


def put_paper(store: SqliteStore, settings: Settings, paper_id: str, title: str, *,
              categories: tuple[str, ...] = ("cs.LG",), authors: tuple[str, ...] = ("Ada Lovelace",),
              summary: str = "An abstract.", org: str | None = None, age_days: float = 0,
              daily: bool = True, upvotes: int = 0) -> None:
    when = datetime.now(UTC) - timedelta(days=age_days)
    paper = Paper(id=paper_id, title=title, summary=summary,
                  authors=tuple(Author(a) for a in authors), categories=categories,
                  published_at=when, imported_upvotes=upvotes)
    entry = DailySubmission(paper_id, today(settings), when) if daily else None
    organization = Organization(org, org.title()) if org else None
    store.upsert_papers([IncomingPaper(paper, daily=entry, organization=organization)])


SPEECH = ["Streaming speech recognition with transducers",
          "Self-supervised audio representations for spoken language",
          "Low-resource automatic speech recognition with wav2vec",
          "End-to-end speech translation of spoken lectures",
          "Speaker diarization for meeting transcripts",
          "Noise-robust acoustic models for voice assistants"]
VISION = ["Semantic segmentation of street scenes with transformers",
          "Instance segmentation masks from bounding boxes",
          "Medical image segmentation with U-Net variants",
          "Panoptic segmentation of aerial photographs",
          "Real-time video object segmentation",
          "Weakly supervised segmentation of satellite images"]
USER_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def make_user(store: SqliteStore, name: str = "ada") -> User:
    user = store.create_user(name, f"{name}@example.org", "x", USER_TIME)
    assert user is not None
    return user
