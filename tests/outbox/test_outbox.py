"""The outbox: messages stored in the caller's transaction, sent by the worker through a real SMTP
server, retried with back-off, never twice, and without keeping or logging the recipient."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from outbox import dispatch, messages, privacy, senders
from outbox.models import Message
from planning import worker

pytestmark = pytest.mark.django_db

ADDRESS = "vecina.gto@example.org"


def test_an_email_reaches_a_real_smtp_server_and_the_address_is_then_erased(smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    message = messages.enqueue(
        "email",
        ADDRESS,
        subject="Su reporte fue atendido",
        body="La dependencia respondió a su reporte.",
        payload={"headers": {"List-Unsubscribe": "<https://example.org/baja/abc>"}},
        purpose="report-answer",
    )
    assert message is not None and message.status == Message.Status.PENDING
    assert not smtp_server.messages  # nothing is sent inside the request

    assert dispatch.run_due() == 1

    [received] = smtp_server.to(ADDRESS)
    assert received["Subject"] == "Su reporte fue atendido"
    assert received["List-Unsubscribe"] == "<https://example.org/baja/abc>"
    assert "respondió" in received.get_content()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at is not None
    assert message.recipient == ""
    assert message.recipient_hash == privacy.pseudonym(ADDRESS)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert ADDRESS not in ours  # (mail.log is the test SMTP server's own log)
    assert privacy.pseudonym(ADDRESS) in ours


def test_a_temporary_smtp_refusal_is_retried_after_a_back_off(smtp_server, settings):
    settings.OUTBOX_RETRY_SECONDS = 30
    smtp_server.refuse_next = 1
    message = messages.enqueue("email", ADDRESS, subject="Aviso", body="Hola")
    assert dispatch.run_due() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert ADDRESS not in message.last_error
    assert dispatch.run_due() == 0  # not due yet

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert dispatch.run_due() == 1
    assert len(smtp_server.to(ADDRESS)) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2


def test_an_unreachable_smtp_server_keeps_the_message_pending(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    settings.EMAIL_TIMEOUT = 2
    message = messages.enqueue("email", ADDRESS, subject="Aviso", body="Hola")
    assert dispatch.run_due() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.recipient == ADDRESS
    assert "SMTP" in message.last_error


@pytest.fixture
def flaky_channel():
    calls: list[int] = []

    @senders.register("test-flaky")
    def send(message):
        calls.append(message.pk)
        if message.payload.get("mode") == "429":
            raise senders.RetryLater(120, "HTTP 429")
        raise RuntimeError(f"HTTP 500 for {message.recipient}")

    yield calls
    senders._SENDERS.pop("test-flaky", None)


def test_the_channel_can_ask_to_wait_and_failures_stop_after_the_last_attempt(flaky_channel, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    slow = messages.enqueue("test-flaky", "+5214731234567", payload={"mode": "429"})
    broken = messages.enqueue("test-flaky", "+5214737654321", payload={"mode": "500"})
    assert dispatch.run_due() == 2
    slow.refresh_from_db()
    assert slow.next_attempt_at >= timezone.now() + timedelta(seconds=110)
    for _ in range(2):
        Message.objects.filter(pk=broken.pk).update(next_attempt_at=timezone.now())
        dispatch.run_due()
    broken.refresh_from_db()
    assert broken.status == Message.Status.FAILED and broken.attempts == 3
    assert broken.recipient == "" and "+5214737654321" not in broken.last_error
    assert "[destinatario]" in broken.last_error


def test_the_same_dedupe_key_stores_one_message():
    first = messages.enqueue("email", ADDRESS, body="uno", dedupe_key="wamid.HBgLNTIx")
    second = messages.enqueue("email", ADDRESS, body="dos", dedupe_key="wamid.HBgLNTIx")
    assert first is not None and second is None
    assert Message.objects.filter(dedupe_key="wamid.HBgLNTIx").count() == 1


def test_an_unknown_channel_or_empty_recipient_is_refused():
    with pytest.raises(LookupError):
        messages.enqueue("paloma", ADDRESS, body="x")
    with pytest.raises(ValueError):
        messages.enqueue("email", "  ", body="x")


def test_a_message_rolled_back_with_its_caller_is_never_sent(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        messages.enqueue("email", ADDRESS, body="x")
        raise RuntimeError("the report failed to save")
    assert dispatch.run_due() == 0
    assert not smtp_server.messages


def test_sent_messages_are_purged_after_the_retention(smtp_server):
    messages.enqueue("email", ADDRESS, body="x")
    dispatch.run_due()
    Message.objects.update(created_at=timezone.now() - timedelta(days=40))
    messages.enqueue("email", ADDRESS, body="y")
    assert dispatch.purge(days=30) == 1
    assert Message.objects.count() == 1


def test_the_worker_sends_the_outbox_and_health_counts_it(smtp_server, client):
    messages.enqueue("email", ADDRESS, subject="Aviso", body="Hola")
    assert client.get("/health").json()["outbox"] == {"pending": 1, "failed": 0}
    worker.serve(once=True, report=lambda _: None)
    assert len(smtp_server.messages) == 1
    assert client.get("/health").json()["outbox"] == {"pending": 0, "failed": 0}


def test_send_immediately_sends_at_commit(smtp_server, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_SEND_IMMEDIATELY = True
    with django_capture_on_commit_callbacks(execute=True):
        messages.enqueue("email", ADDRESS, body="ya")
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message(smtp_server):
    for n in range(12):
        messages.enqueue("email", f"persona{n}@example.org", body="x")
    barrier = threading.Barrier(2)

    def drain():
        barrier.wait()
        try:
            dispatch.run_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(smtp_server.messages) == 12
    assert Message.objects.filter(status=Message.Status.SENT).count() == 12
