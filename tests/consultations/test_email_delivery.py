"""E-mail reaches a real SMTP server (aiosmtpd on loopback, tests/mail_server.py) through the outbox
and the worker: the confirmation, the digest of changes with its unsubscribe link (which works), and
the results of a consultation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from consultations.models import Follow, PeriodicRun
from planning import worker

pytestmark = pytest.mark.django_db
EMAIL = "seguidora@example.org"


def _links(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return [word for word in text.split() if word.startswith("http://testserver/")]


def _path(url: str) -> str:
    return urlsplit(url).path


def _run_worker() -> None:
    worker.serve(once=True, report=lambda _line: None)


def test_confirmation_and_digest_arrive_and_the_unsubscribe_link_works(
    smtp_server, settings, work_well_xichu
):
    from works_map.actions import do_update_work

    settings.SITE_URL = "http://testserver"
    client = Client()
    response = client.post("/seguir/", {"email": EMAIL, "consent": "on", "obra": work_well_xichu.pk})
    assert response.status_code == 200
    assert smtp_server.messages == []  # nothing is sent inside the request
    _run_worker()
    [confirmation] = smtp_server.to(EMAIL)
    assert "Confirme" in confirmation["Subject"]
    confirm_url, unsubscribe_url = (
        next(u for u in _links(confirmation) if "/seguir/" + kind in u) for kind in ("confirmar", "baja")
    )
    assert confirmation["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"
    assert client.post(_path(confirm_url)).status_code == 200
    assert Follow.objects.get().confirmed_at is not None

    do_update_work(work_well_xichu, status="SUSPENDIDA", amount_approved=Decimal("2600000.00"))
    PeriodicRun.objects.update(last_at=timezone.now() - dt.timedelta(hours=2))  # the next run is due
    _run_worker()
    confirmation_and_digest = smtp_server.to(EMAIL)
    assert len(confirmation_and_digest) == 2
    digest = confirmation_and_digest[1]
    body = digest.get_body(preferencelist=("plain",)).get_content()
    assert "Suspendida" in body and "$2,600,000.00" in body
    [digest_unsubscribe] = [u for u in _links(digest) if "/seguir/baja/" in u]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail client's one-click POST (no session, no CSRF token) ends the follow.
    assert Client(enforce_csrf_checks=True).post(_path(digest_unsubscribe)).status_code == 200
    assert not Follow.objects.exists()
    do_update_work(work_well_xichu, status="EN_EJECUCION")
    PeriodicRun.objects.update(last_at=timezone.now() - dt.timedelta(hours=2))
    _run_worker()
    assert len(smtp_server.to(EMAIL)) == 2  # nothing more after the unsubscribe


def test_the_results_of_a_consultation_reach_the_participant(
    smtp_server, settings, open_consultation, planner_leon
):
    from consultations.actions import do_answer_opinions, do_publish_results
    from consultations.models import Opinion
    from tests.consultations.conftest import close_window

    settings.SITE_URL = "http://testserver"
    Client().post(
        f"/consultas/{open_consultation.pk}/opinar", {"text": "Mi opinión sobre la zona.", "email": EMAIL}
    )
    close_window(open_consultation)
    do_answer_opinions(
        open_consultation,
        list(Opinion.objects.all()),
        text="Gracias, se toma en cuenta.",
        acting_user=planner_leon,
    )
    do_publish_results(
        open_consultation,
        text="Se recibió una opinión y el trazo cambia en la calle Hidalgo.",
        acting_user=planner_leon,
    )
    _run_worker()
    [received] = smtp_server.to(EMAIL)
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "el trazo cambia en la calle Hidalgo" in body
    assert f"http://testserver/consultas/{open_consultation.pk}/" in body
