"""Subscriptions by WhatsApp: consent recorded, notices when a followed work's status or progress
changes (whatever wrote it), "baja" deletes the number at once, inactive numbers go after 12 months."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.utils import timezone

from chat import actions, maintenance
from chat.engine import CONSENT_TEXT
from chat.models import Conversation, Subscriber, Subscription
from outbox import dispatch
from outbox.models import Message
from tests.chat.conftest import PHONE, location_message, notification, post_signed, text_message

pytestmark = pytest.mark.usefixtures("whatsapp_settings")


def say(client, message: dict) -> None:
    assert post_signed(client, notification(message)).status_code == 200


def last_text(fake_graph) -> str:
    body = fake_graph.bodies()[-1]
    if body["type"] == "text":
        return body["text"]["body"]
    if body["type"] == "interactive":
        return body["interactive"]["body"]["text"]
    return json_dump(body)


def json_dump(body) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)


@pytest.fixture
def follower(client, fake_graph, work_well_xichu):
    """A person who follows the Xichú well, having said yes to the consent text."""
    say(client, text_message("seguir XIC-2026-001"))
    say(client, text_message("Sí"))
    dispatch.run_due()
    return Subscriber.objects.get()


def test_following_a_work_asks_for_consent_and_records_it(client, fake_graph, work_well_xichu):
    say(client, text_message("seguir XIC-2026-001"))
    dispatch.run_due()
    assert "necesitamos tu consentimiento" in last_text(fake_graph)
    assert not Subscriber.objects.exists()  # nothing stored before the yes
    say(client, text_message("sí"))
    dispatch.run_due()
    assert "Te avisaremos cuando cambie «Red de agua potable en Xichú»" in last_text(fake_graph)
    subscriber = Subscriber.objects.get()
    assert subscriber.phone == PHONE and subscriber.consent_text == CONSENT_TEXT
    assert subscriber.phone_hash == actions.phone_hash(PHONE) and subscriber.consent_at is not None
    assert Subscription.objects.get().work == work_well_xichu


def test_saying_no_stores_nothing(client, fake_graph, work_well_xichu):
    say(client, text_message("seguir XIC-2026-001"))
    say(client, text_message("no"))
    dispatch.run_due()
    assert "no guardamos tu número" in last_text(fake_graph)
    assert not Subscriber.objects.exists()


def test_a_status_change_through_the_actions_sends_one_notice(client, fake_graph, follower, work_well_xichu):
    from works_map.actions import do_update_work

    assert maintenance.notify_changes() == 0
    do_update_work(work_well_xichu, status="TERMINADA")
    assert maintenance.notify_changes() == 1
    assert maintenance.notify_changes() == 0  # told once
    dispatch.run_due()
    text = last_text(fake_graph)
    assert "Estatus: En ejecución → Terminada" in text and "Red de agua potable en Xichú" in text
    assert fake_graph.bodies()[-1]["to"] == PHONE


def test_approved_progress_sends_a_notice_with_the_new_figure(client, fake_graph, follower, work_well_xichu):
    from works_map.actions import do_record_progress, do_review_progress

    report = do_record_progress(
        work_well_xichu,
        reported_on=dt.date(2026, 5, 1),
        physical_pct=Decimal("75"),
        financial_pct=Decimal("60"),
    )
    assert maintenance.notify_changes() == 0  # a pending report changes nothing public
    do_review_progress(report, approve=True)
    call_command("chat_maintenance", stdout=open("/dev/null", "w"))  # noqa: SIM115
    dispatch.run_due()
    assert "Avance físico: 40 % → 75 %" in last_text(fake_graph)


def test_the_worker_loop_queues_and_sends_the_notice(client, fake_graph, follower, work_well_xichu):
    from planning import worker
    from works_map.actions import do_update_work

    do_update_work(work_well_xichu, status="SUSPENDIDA")
    worker.serve(once=True, report=lambda _: None)
    assert "Estatus: En ejecución → Suspendida" in last_text(fake_graph)


def test_a_bulk_update_outside_the_actions_is_noticed_too(client, fake_graph, follower, work_well_xichu):
    from works_map.models import Work

    Work.objects.filter(pk=work_well_xichu.pk).update(status="SUSPENDIDA")  # as a bulk import may
    assert maintenance.notify_changes() == 1


def test_outside_the_window_a_notice_goes_as_the_approved_template(
    client, fake_graph, follower, work_well_xichu, settings
):
    from works_map.actions import do_update_work

    settings.WHATSAPP_TEMPLATE_UPDATE = "aviso_obra"
    Subscriber.objects.update(last_inbound_at=timezone.now() - dt.timedelta(days=3))
    do_update_work(work_well_xichu, status="TERMINADA")
    maintenance.notify_changes()
    dispatch.run_due()
    body = fake_graph.bodies()[-1]
    assert body["type"] == "template" and body["template"]["name"] == "aviso_obra"
    assert [p["text"] for p in body["template"]["components"][0]["parameters"]] == [
        "Red de agua potable en Xichú",
        "Terminada",
        "40",
    ]


def test_baja_deletes_the_number_and_everything_at_once(client, fake_graph, follower, work_well_xichu):
    from works_map.actions import do_update_work

    do_update_work(work_well_xichu, status="TERMINADA")
    maintenance.notify_changes()  # a notice waits in the outbox
    say(client, text_message("BAJA"))
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    assert not Conversation.objects.filter(key=actions.phone_hash(PHONE)).exists()
    assert not Message.objects.filter(purpose="chat:notice").exists()
    dispatch.run_due()
    assert "borramos tu número" in last_text(fake_graph)
    # Once the confirmation is sent, the number is nowhere in the database.
    assert not Message.objects.filter(recipient=PHONE).exists()


def test_alto_also_stops_everything(client, fake_graph, follower):
    say(client, text_message("alto"))
    assert not Subscriber.objects.exists()


def test_avisarme_follows_works_near_the_last_location(
    client, fake_graph, work_well_xichu, xichu, water_category
):
    from works_map.actions import do_create_work

    say(client, location_message(-100.05, 21.3))
    say(client, text_message("avisarme"))
    say(client, text_message("si"))
    dispatch.run_due()
    area = Subscription.objects.get()
    assert area.kind == "AREA" and area.point.equals_exact(Point(-100.05, 21.3, srid=4326), 1e-9)
    assert maintenance.notify_changes() == 0
    do_create_work(
        folio="XIC-2026-500",
        fiscal_year=2026,
        name="Techado escolar nuevo",
        category=water_category,
        geom=Point(-100.051, 21.301, srid=4326),
        municipio=xichu,
        amount_approved=Decimal("10"),
    )
    assert maintenance.notify_changes() == 1
    dispatch.run_due()
    assert "Techado escolar nuevo" in last_text(fake_graph)


def test_avisarme_without_a_location_asks_for_one(client, fake_graph, db):
    say(client, text_message("avisarme"))
    dispatch.run_due()
    assert "Primero envía tu ubicación" in last_text(fake_graph)


def test_numbers_inactive_for_12_months_are_deleted(client, fake_graph, follower):
    Subscriber.objects.update(last_activity_at=timezone.now() - dt.timedelta(days=366))
    report = maintenance.purge()
    assert report.subscribers_deleted == 1 and not Subscriber.objects.exists()


def test_any_message_keeps_a_subscriber_active(client, fake_graph, follower):
    Subscriber.objects.update(last_activity_at=timezone.now() - dt.timedelta(days=300))
    say(client, text_message("ayuda"))
    dispatch.run_due()
    assert maintenance.purge().subscribers_deleted == 0


def test_expired_cursors_and_old_message_ids_are_deleted(client, fake_graph, db):
    from chat.models import DeliveredMessage

    say(client, location_message(-100.05, 21.3))
    dispatch.run_due()
    later = timezone.now() + dt.timedelta(days=8)
    report = maintenance.purge(later)
    assert report.cursors_deleted == 1 and report.ids_deleted == 1
    assert not Conversation.objects.exists() and not DeliveredMessage.objects.exists()


def test_the_whole_flow_never_logs_the_phone(client, fake_graph, work_well_xichu, caplog):
    from works_map.actions import do_update_work

    with caplog.at_level(logging.DEBUG):
        say(client, text_message("seguir XIC-2026-001"))
        say(client, text_message("sí"))
        do_update_work(work_well_xichu, status="TERMINADA")
        maintenance.run()
        dispatch.run_due()
        say(client, text_message("baja"))
        dispatch.run_due()
    assert caplog.text and PHONE not in caplog.text
