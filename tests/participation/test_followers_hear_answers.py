"""A citizen report's published answer reaches the people who follow the work (consultations'
follows), in their next digest; an answer to a report that is not public reaches nobody."""

from __future__ import annotations

import pytest

from consultations.models import WorkEvent
from participation import actions

pytestmark = pytest.mark.django_db


def _answer(report, moderator, agency):
    return actions.do_answer_report(
        report,
        answer="Se reparará en enero.",
        agency=agency,
        tracking_url="http://t/x",
        acting_user=moderator,
    )


def test_a_published_reports_answer_becomes_an_event_of_its_work(received_report, moderator_leon, sop):
    report = actions.do_approve_report(received_report, acting_user=moderator_leon)
    _answer(report, moderator_leon, sop)
    [event] = WorkEvent.objects.filter(kind=WorkEvent.Kind.REPORT_ANSWER)
    assert event.work_id == report.work_id
    assert "Se reparará en enero." in event.details["summary"]
    assert "vecina@example.net" not in str(event.details)


def test_an_unpublished_reports_answer_tells_no_follower(received_report, moderator_leon, sop):
    _answer(received_report, moderator_leon, sop)
    assert not WorkEvent.objects.filter(kind=WorkEvent.Kind.REPORT_ANSWER).exists()
