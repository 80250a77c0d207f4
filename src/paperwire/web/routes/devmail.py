"""``/dev/mail``: the outbox for developers (the demo keeps its mail there). Only with
``PAPERWIRE_MAILER=outbox`` or ``PAPERWIRE_DEBUG``; a 404 everywhere else."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from paperwire.errors import NotFound
from paperwire.services.mail_queue import parse_stored_message
from paperwire.web.deps import SettingsDep, StoreDep
from paperwire.web.params import RowId
from paperwire.web.templating import render

SHOWN = 100


def _check_enabled(settings: SettingsDep) -> None:
    if not (settings.debug or settings.mailer == "outbox"):
        raise NotFound("this page exists only in the demo and in debug mode")


router = APIRouter(include_in_schema=False, dependencies=[Depends(_check_enabled)])


@router.get("/dev/mail")
def outbox(request: Request, store: StoreDep) -> Response:
    messages = store.list_mail(SHOWN)
    return render(request, "dev_mail.html", {"messages": messages})


@router.get("/dev/mail/{mail_id}")
def one_message(request: Request, store: StoreDep, mail_id: RowId) -> Response:
    mail = store.get_mail(mail_id)
    if mail is None:
        raise NotFound(f"no message {mail_id} in the outbox")
    parsed = parse_stored_message(mail.message)
    body = parsed.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else mail.message
    return render(request, "dev_mail_message.html", {"mail": mail, "text": text})
