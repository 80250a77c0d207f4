"""What routes reach, as ``Annotated[..., Depends(...)]`` aliases over the app's ``Services``.

``create_app(services)`` keeps the one ``Services`` object on ``app.state.services``; a route
names the parts it needs as parameters (``store: StoreDep``, ``search: SearchDep``…) and never
builds or looks up a service of its own. The dependencies are coroutines: they only read an
attribute, and a plain function would cost each request a hop to a worker thread and back.
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


async def get_settings(request: Request) -> Settings:
    return services_of(request).settings


async def get_store(request: Request) -> Store:
    return services_of(request).store


async def get_search(request: Request) -> SearchService:
    return services_of(request).search


async def get_mailer(request: Request) -> Mailer:
    """The site's mail queue: pages answer without waiting out a slow or absent server."""
    return services_of(request).site_mail


async def get_paper_fetcher(request: Request) -> ArxivApiSource:
    return services_of(request).paper_fetcher


async def get_submissions(request: Request) -> SubmissionQueue:
    return services_of(request).submissions


async def get_interests(request: Request) -> UpvoteInterests:
    return services_of(request).interests


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
SearchDep = Annotated[SearchService, Depends(get_search)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
PaperFetcherDep = Annotated[ArxivApiSource, Depends(get_paper_fetcher)]
SubmissionsDep = Annotated[SubmissionQueue, Depends(get_submissions)]
InterestsDep = Annotated[UpvoteInterests, Depends(get_interests)]
