"""What routes reach, as ``Annotated[..., Depends(...)]`` aliases over the app's ``Services``.

``create_app(services)`` keeps the one ``Services`` object on ``app.state.services``; a route
names the parts it needs as parameters (``store: StoreDep``, ``search: SearchDep``…) and never
builds or looks up a service of its own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from paperwire.bootstrap import Services
from paperwire.config import Settings
from paperwire.mail import Mailer
from paperwire.services.digest_interests import UpvoteInterests
from paperwire.services.search import SearchService
from paperwire.services.submission_queue import SubmissionQueue
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.storage import Store


def services_of(request: Request) -> Services:
    """The app's services (also what middleware and ``render`` read)."""
    services: Services = request.app.state.services
    return services


def get_settings(request: Request) -> Settings:
    return services_of(request).settings


def get_store(request: Request) -> Store:
    return services_of(request).store


def get_search(request: Request) -> SearchService:
    return services_of(request).search


def get_mailer(request: Request) -> Mailer:
    """The site's mail queue: pages answer without waiting out a slow or absent server."""
    return services_of(request).site_mail


def get_paper_fetcher(request: Request) -> ArxivApiSource:
    return services_of(request).paper_fetcher


def get_submissions(request: Request) -> SubmissionQueue:
    return services_of(request).submissions


def get_interests(request: Request) -> UpvoteInterests:
    return services_of(request).interests


ServicesDep = Annotated[Services, Depends(services_of)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
SearchDep = Annotated[SearchService, Depends(get_search)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
PaperFetcherDep = Annotated[ArxivApiSource, Depends(get_paper_fetcher)]
SubmissionsDep = Annotated[SubmissionQueue, Depends(get_submissions)]
InterestsDep = Annotated[UpvoteInterests, Depends(get_interests)]
