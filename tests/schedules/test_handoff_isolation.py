"""One team whose handoff fails must not hold back the others of its batch.

The failures are real: data the handoff trips over, nothing patched. A time zone that tzdata
dropped (US/Pacific-New went in 2020b; a legacy import may still hold it) fails before any
write; an on-call version at the bigint limit fails the batch's team UPDATE in PostgreSQL,
after the ledger rows of every team were written, so all of them roll back."""

import logging

import pytest
from django.db import DatabaseError, connection

from schedules.actions.handoff import BATCH_SIZE, handoffs_process
from schedules.domain import DomainError
from schedules.models import OnCallRecord
from schedules.tasks import handoff_tick, process_handoffs
from teams.models import Team
from tests.celery_worker import celery_worker, eager_tasks, wait_for
from tests.factories import TeamFactory

BIGINT_MAX = 2**63 - 1

BAD_DATA = [
    pytest.param({"timezone": "US/Pacific-New"}, DomainError, id="time zone dropped by tzdata"),
    pytest.param(
        {"oncall_version": BIGINT_MAX},
        DatabaseError,
        id="on-call version at the bigint limit",
        marks=pytest.mark.skipif(
            connection.vendor != "postgresql", reason="SQLite turns the overflow into a float"
        ),
    ),
]


def teams_with_one_bad(bad_fields: dict) -> tuple[list[Team], Team]:
    good = [TeamFactory(oncall_engineer=f"U_ENG{n}") for n in range(3)]
    bad = TeamFactory(oncall_engineer="U_BAD", **bad_fields)
    return good, bad


@pytest.mark.parametrize(("bad_fields", "error"), BAD_DATA)
def test_a_batch_with_a_bad_team_is_handed_off_team_by_team(db, caplog, bad_fields, error):
    good, bad = teams_with_one_bad(bad_fields)
    ids = [str(t.pk) for t in [good[0], bad, *good[1:]]]
    with pytest.raises(error):  # the bad team really breaks its whole batch
        handoffs_process(team_ids=ids)
    assert not OnCallRecord.objects.exists()

    with eager_tasks(), caplog.at_level(logging.ERROR, logger="schedules.tasks"):
        result = process_handoffs.apply(args=[ids])

    assert result.successful()
    recorded = OnCallRecord.objects.values_list("team_id", "engineer_slack_id")
    assert sorted(recorded) == sorted((t.pk, t.oncall_engineer) for t in good)
    assert all(t.next_handoff_at for t in Team.objects.filter(pk__in=[t.pk for t in good]))
    bad.refresh_from_db()
    assert (bad.next_handoff_at, bad.last_handoff_date) == (None, None)  # still due
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "A batch of 4 handoffs failed; handing off one by one.",
        f"Handoff of team {bad.pk} failed; it stays due.",
    ]


def test_a_healthy_batch_stays_one_transaction(db, django_assert_max_num_queries):
    teams = [TeamFactory(oncall_engineer=f"U_ENG{n}", slack_channel_id="C_OPS") for n in range(5)]
    # lock, members, spans, ledger, audit, outbox, team update; SAVEPOINT and RELEASE
    with django_assert_max_num_queries(7 + 2):
        assert process_handoffs.apply(args=[[str(t.pk) for t in teams]]).get() == 5


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_tick_hands_off_the_good_teams_through_a_worker_despite_a_bad_one():
    good, bad = teams_with_one_bad({"timezone": "US/Pacific-New"})
    with celery_worker(queue="celery"):
        handoff_tick.delay()
        wait_for(lambda: OnCallRecord.objects.count() == len(good))
    assert set(OnCallRecord.objects.values_list("team_id", flat=True)) == {t.pk for t in good}
    assert Team.objects.get(pk=bad.pk).next_handoff_at is None


def test_the_tick_hands_off_every_due_team_when_they_fill_more_than_one_batch(db):
    TeamFactory.create_batch(BATCH_SIZE + 1, oncall_engineer="U_ALICE")
    with eager_tasks():
        assert handoff_tick.apply().get() == BATCH_SIZE + 1
    assert OnCallRecord.objects.count() == BATCH_SIZE + 1
    assert not Team.objects.filter(last_handoff_date__isnull=True).exists()
