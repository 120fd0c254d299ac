"""The rate limit holds for simultaneous submissions: the second waits for the first to commit and
then sees its mark (two real database connections, two threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from participation.actions import RateLimited, do_submit_report
from participation.models import CitizenReport


@pytest.fixture
def one_per_address(transactional_db, settings):
    settings.PARTICIPATION_RATE_PER_ADDRESS = 1


def _first_report_held_open(work, address: str, text: str) -> tuple[threading.Thread, threading.Event]:
    """A thread that submits a report and keeps its transaction open until the returned event is set;
    returned once the report is written (its rate-limit lock and mark held)."""
    written, release = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                do_submit_report(work, kind="OTRO", text=text, address=address)
                written.set()
                assert release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert written.wait(20)
    return thread, release


def test_a_second_simultaneous_report_from_one_address_waits_and_is_refused(one_per_address, work_road_leon):
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            do_submit_report(work_road_leon, kind="OTRO", text="segundo", address="203.0.113.7")
            outcome["second"] = "accepted"
        except RateLimited:
            outcome["second"] = "refused"
        finally:
            connection.close()

    a, release_first = _first_report_held_open(work_road_leon, "203.0.113.7", "primero")
    b = threading.Thread(target=second)
    b.start()
    b.join(1.0)
    assert b.is_alive(), "the second submission must wait for the first one's transaction"
    release_first.set()
    a.join(20)
    b.join(20)
    assert outcome == {"second": "refused"}
    assert list(CitizenReport.objects.values_list("text", flat=True)) == ["primero"]


def test_different_addresses_do_not_wait_for_each_other(one_per_address, work_road_leon):
    finished = threading.Event()

    def other() -> None:
        try:
            do_submit_report(work_road_leon, kind="OTRO", text="otro", address="198.51.100.9")
            finished.set()
        finally:
            connection.close()

    a, release_first = _first_report_held_open(work_road_leon, "203.0.113.7", "uno")
    b = threading.Thread(target=other)
    b.start()
    assert finished.wait(10), "another address must not wait for the first transaction"
    release_first.set()
    a.join(20)
    b.join(20)
    assert CitizenReport.objects.count() == 2
