import datetime
import threading

import pytest
from django.db import connection, connections

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from schedules.actions import OverrideFields, override_cancel, override_decide, override_request
from schedules.models import Override
from teams.models import TeamRole
from tests.factories import BackupLineFactory, MembershipFactory, OverrideFactory, TeamFactory
from tests.locks import second_write_while_first_holds

# Written with fixed dates of December 2026: they run on that month's clock.
pytestmark = pytest.mark.usefixtures("december_2026")

D = datetime.date
LEAD = Actor(id="U_LEAD", slack_user_id="U_LEAD")
BOB = Actor(id="U_BOB", slack_user_id="U_BOB")


@pytest.fixture
def team(db):
    team = TeamFactory(overrides_require_approval=True)
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_BOB")
    return team


def team_of_bob(**fields):
    team = TeamFactory(**fields)
    MembershipFactory(team=team, slack_user_id="U_BOB")
    return team


def request(team, actor=BOB, now=None, **fields):
    values = {
        "engineer_slack_id": "U_BOB",
        "start_date": D(2026, 12, 8),
        "end_date": D(2026, 12, 9),
        "reason": "Swap",
        **fields,
    }
    return override_request(team=team, actor=actor, fields=OverrideFields(**values), now=now)


def test_request_is_pending_when_the_team_requires_approval(team):
    override = request(team)
    assert (override.status, override.requested_by) == ("pending", "U_BOB")
    row = AuditLog.objects.get()
    assert (row.action, row.change_type, row.change_reason) == (
        "override_requested",
        "override_created",
        "Swap",
    )


def test_the_requests_audit_entry_names_the_requester_and_every_value_asked_for(team):
    override = request(team, replaces_slack_id="U_CAROL")
    row = AuditLog.objects.get()
    assert (row.actor_type, row.actor_id, row.entity_id) == ("user", "U_BOB", str(override.pk))
    assert row.changes == {
        "status": {"old": None, "new": "pending"},
        "engineer_slack_id": {"old": None, "new": "U_BOB"},
        "replaces_slack_id": {"old": None, "new": "U_CAROL"},
        "start_date": {"old": None, "new": "2026-12-08"},
        "end_date": {"old": None, "new": "2026-12-09"},
        "reason": {"old": None, "new": "Swap"},
    }
    assert (row.engineer_slack_id, row.previous_engineer_slack_id) == ("U_BOB", "U_CAROL")
    assert (row.effective_date, row.metadata["role"]) == (D(2026, 12, 8), "primary")


def test_request_is_approved_at_once_when_no_approval_is_needed(db):
    override = request(team_of_bob(overrides_require_approval=False))
    assert override.status == "approved" and override.decided_at is not None


def test_staff_without_a_slack_identity_are_named_by_username_as_requester_and_approver(
    team, staff_actor
):
    override = request(team, actor=staff_actor)
    override_decide(override=override, actor=staff_actor, status="approved")
    override.refresh_from_db()
    assert (override.requested_by, override.approved_by) == ("ops-admin", "ops-admin")


def test_request_needs_a_slack_identity(team):
    with pytest.raises(Forbidden, match="link your Slack identity first if you are one"):
        request(team, actor=Actor(id="someone"))
    assert not Override.objects.exists()


def test_overlapping_live_overrides_are_refused(team):
    request(team)
    with pytest.raises(Conflict):
        request(team, start_date=D(2026, 12, 9), end_date=D(2026, 12, 12))
    assert Override.objects.count() == 1 and AuditLog.objects.count() == 1


def test_an_override_ending_on_the_day_another_starts_overlaps_it(team):
    request(team)  # 8 to 9 December
    with pytest.raises(Conflict, match=r"Overlaps the pending override of .* \(2026-12-08 to"):
        request(team, start_date=D(2026, 12, 5), end_date=D(2026, 12, 8))
    assert Override.objects.count() == 1 and AuditLog.objects.count() == 1


def test_overrides_overlap_only_on_their_own_line(team):
    OverrideFactory(team=team, role="backup", engineer_slack_id="U_CAROL", status="approved")
    override = request(team)  # the same dates, on the primary line
    assert (override.role, override.status) == ("primary", "pending")
    with pytest.raises(Conflict, match="Overlaps the approved override"):
        override_request(
            team=team,
            actor=BOB,
            fields=OverrideFields(
                engineer_slack_id="U_DAVE", start_date=D(2026, 12, 9), end_date=D(2026, 12, 10)
            ),
            role="backup",
        )
    assert Override.objects.count() == 2


def test_rejected_or_cancelled_overrides_free_their_dates(team):
    OverrideFactory(team=team, status="rejected")
    OverrideFactory(team=team, status="cancelled")
    request(team)
    assert Override.objects.filter(status="pending").count() == 1


def test_bad_dates_are_refused(team):
    with pytest.raises(InvalidInput) as excinfo:
        request(team, start_date=D(2026, 12, 9), end_date=D(2026, 12, 8))
    assert "end_date" in excinfo.value.errors


VALID = [
    ("pending", "approved"),
    ("pending", "rejected"),
    ("pending", "cancelled"),
    ("approved", "cancelled"),
]
ALL = ["pending", "approved", "rejected", "cancelled"]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ["approved", "rejected", "cancelled"])
def test_every_transition(team, start, target):
    override = OverrideFactory(team=team, status=start)
    if (start, target) in VALID:
        decided = override_decide(override=override, actor=LEAD, status=target)
        assert decided.status == target and decided.decided_at is not None
        row = AuditLog.objects.get()
        assert row.action == f"override_{target}"
        assert row.changes["status"] == {"old": start, "new": target}
    else:
        with pytest.raises(Conflict, match=f"{start} cannot become {target}"):
            override_decide(override=override, actor=LEAD, status=target)
        override.refresh_from_db()
        assert override.status == start and not AuditLog.objects.exists()


@pytest.mark.parametrize(("start", "target"), [("pending", "approved"), ("approved", "cancelled")])
def test_an_override_that_is_over_can_no_longer_change_who_was_on_call(team, start, target):
    """Over on 30 November, before 1 December's on-call date: approving it, or cancelling it
    once approved, would only rewrite who was on call then; refused, and nothing changes."""
    override = OverrideFactory(
        team=team, status=start, start_date=D(2026, 11, 29), end_date=D(2026, 11, 30)
    )
    with pytest.raises(Conflict, match="ended on Mon 30 Nov 2026: it can no longer be"):
        override_decide(override=override, actor=LEAD, status=target)
    override.refresh_from_db()
    assert override.status == start and not AuditLog.objects.exists()


@pytest.mark.parametrize("target", ["rejected", "cancelled"])
def test_a_pending_override_that_is_over_may_still_be_turned_down(team, target):
    """It changed nobody's on-call: saying no to it rewrites nothing."""
    override = OverrideFactory(
        team=team, status="pending", start_date=D(2026, 11, 29), end_date=D(2026, 11, 30)
    )
    assert override_decide(override=override, actor=LEAD, status=target).status == target


def test_an_override_ending_on_todays_on_call_date_may_still_be_decided(team):
    """Its last day is running (1 December, until tomorrow's handoff): approving it counts."""
    override = OverrideFactory(
        team=team, status="pending", start_date=D(2026, 11, 30), end_date=D(2026, 12, 1)
    )
    decided = override_decide(override=override, actor=LEAD, status="approved")
    assert decided.status == "approved"
    assert override_decide(override=decided, actor=LEAD, status="cancelled").status == "cancelled"


def test_a_backup_override_is_over_by_its_own_lines_on_call_date(team):
    """The backup line hands off at 18:00: at noon on 1 December its on-call date is still
    30 November, so a backup override ending on the 30th is running, and may be approved."""
    BackupLineFactory(team=team, handoff_time=datetime.time(18))
    override = OverrideFactory(
        team=team,
        role="backup",
        status="pending",
        start_date=D(2026, 11, 30),
        end_date=D(2026, 11, 30),
    )
    assert override_decide(override=override, actor=LEAD, status="approved").status == "approved"


def test_a_decisions_audit_entry_names_the_decider_and_whom_the_override_replaces(team):
    override = OverrideFactory(team=team, replaces_slack_id="U_CAROL")
    override_decide(override=override, actor=LEAD, status="approved", reason="Fine by me")
    row = AuditLog.objects.get()
    assert (row.actor_type, row.actor_id, row.change_reason) == ("user", "U_LEAD", "Fine by me")
    assert (row.engineer_slack_id, row.previous_engineer_slack_id) == ("U_BOB", "U_CAROL")
    assert row.effective_date == D(2026, 12, 8)


def test_cancelling_records_no_approver_and_keeps_the_one_who_approved(team):
    """approved_by names who approved (or rejected); a cancellation is not an approval."""
    pending = OverrideFactory(team=team, requested_by="U_BOB")
    override_cancel(override=pending, actor=BOB)
    pending.refresh_from_db()
    assert (pending.status, pending.approved_by) == ("cancelled", "")
    assert "approved_by" not in AuditLog.objects.get(entity_id=str(pending.pk)).changes

    approved = OverrideFactory(team=team, start_date=D(2026, 12, 20), end_date=D(2026, 12, 21))
    override_decide(override=approved, actor=LEAD, status="approved")
    override_cancel(override=approved, actor=BOB)
    approved.refresh_from_db()
    assert (approved.status, approved.approved_by) == ("cancelled", "U_LEAD")
    cancelled = AuditLog.objects.get(entity_id=str(approved.pk), action="override_cancelled")
    assert (cancelled.actor_id, set(cancelled.changes)) == ("U_BOB", {"status", "decided_at"})


def test_unknown_decision_is_bad_input(team):
    with pytest.raises(InvalidInput):
        override_decide(override=OverrideFactory(team=team), actor=LEAD, status="pending")


def test_deciding_an_override_deleted_meanwhile_is_not_found(team):
    override = OverrideFactory(team=team)
    Override.objects.filter(pk=override.pk).delete()
    with pytest.raises(NotFound, match="No such override"):
        override_decide(override=override, actor=LEAD, status="approved")
    assert not AuditLog.objects.exists()


def test_only_leads_decide_but_the_requester_may_cancel(team):
    override = OverrideFactory(team=team, requested_by="U_BOB")
    with pytest.raises(Forbidden):
        override_decide(override=override, actor=BOB, status="approved")
    override_cancel(override=override, actor=BOB)
    override.refresh_from_db()
    assert override.status == "cancelled"


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_the_requester_and_the_covering_engineer_may_not_decide_their_own_request(team, status):
    # Rejecting is deciding, not cancelling: the cancel rule's "own" is no way around a lead.
    override = OverrideFactory(team=team, requested_by="U_BOB", engineer_slack_id="U_BOB")
    with pytest.raises(Forbidden, match=f"Only staff or a lead of {team.name} may do this."):
        override_decide(override=override, actor=BOB, status=status)
    override.refresh_from_db()
    assert override.status == "pending" and not AuditLog.objects.exists()


CAROL = Actor(id="U_CAROL", slack_user_id="U_CAROL")
DAVE = Actor(id="U_DAVE", slack_user_id="U_DAVE")


@pytest.mark.parametrize(
    "actor",
    [
        CAROL,
        DAVE,
        Actor(id="U_ERIN", slack_user_id="U_ERIN"),
        Actor(id="ops"),
        Actor(id="U_BOB", user_id=7),
    ],
    ids=[
        "the replaced member",
        "another member",
        "an outsider",
        "no slack identity",
        "a username that reads as the requester's Slack id",
    ],
)
def test_nobody_else_cancels_an_approved_override(team, actor):
    """Cancelling an approved override puts the replaced person back on call: only the
    requester, the covering engineer, a lead or staff may."""
    MembershipFactory(team=team, slack_user_id="U_CAROL")
    MembershipFactory(team=team, slack_user_id="U_DAVE")
    override = OverrideFactory(
        team=team, status="approved", requested_by="U_BOB", replaces_slack_id="U_CAROL"
    )
    with pytest.raises(Forbidden, match="Only the requester, the covering engineer, a lead or"):
        override_cancel(override=override, actor=actor)
    override.refresh_from_db()
    assert override.status == "approved" and not AuditLog.objects.exists()
    override_cancel(override=override, actor=LEAD)
    override.refresh_from_db()
    assert override.status == "cancelled"


def test_an_override_nobody_is_named_as_asking_for_is_not_cancelled_by_someone_without_slack(team):
    """An imported override may name no requester: no Slack identity matches that blank."""
    override = OverrideFactory(team=team, status="approved", requested_by="")
    with pytest.raises(Forbidden, match="Only the requester, the covering engineer, a lead or"):
        override_cancel(override=override, actor=Actor(id="ops"))
    override.refresh_from_db()
    assert override.status == "approved"


def test_a_decisions_audit_entry_belongs_to_the_team_and_names_the_line(team):
    override = OverrideFactory(team=team, role="backup")
    override_decide(override=override, actor=LEAD, status="rejected")
    row = AuditLog.objects.get()
    assert (row.team_id, row.metadata["role"]) == (team.pk, "backup")


def test_the_covering_engineer_may_cancel_an_override_someone_else_asked_for(team):
    override = OverrideFactory(
        team=team, status="approved", requested_by="U_LEAD", engineer_slack_id="U_BOB"
    )
    override_cancel(override=override, actor=BOB)
    override.refresh_from_db()
    assert override.status == "cancelled"
    assert AuditLog.objects.get().action == "override_cancelled"


def test_approve_twice_is_refused(team):
    override = OverrideFactory(team=team)
    override_decide(override=override, actor=LEAD, status="approved")
    with pytest.raises(Conflict):
        override_decide(override=override, actor=LEAD, status="approved")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_deciders_at_once_cannot_both_win():
    team = TeamFactory(overrides_require_approval=True)
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    override = OverrideFactory(team=team)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(status):
        barrier.wait()
        try:
            override_decide(override=override, actor=LEAD, status=status)
            outcomes.append(status)
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(s,)) for s in ("approved", "rejected")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["approved", "refused"], ["refused", "rejected"])
    override.refresh_from_db()
    assert override.status in {"approved", "rejected"}
    assert AuditLog.objects.filter(entity_id=str(override.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_overlapping_requests_at_once_cannot_both_be_taken():
    """A double click on Request: the second waits on the team's lock, then sees the first."""
    team = team_of_bob(overrides_require_approval=True)
    waited, [outcome] = second_write_while_first_holds(lambda: request(team), lambda: request(team))
    assert waited and isinstance(outcome, Conflict)
    assert Override.objects.count() == 1


def test_a_request_needing_approval_posts_buttons_to_the_team_channel(db):
    from oncall_project.base.outbox.models import Notification

    team = team_of_bob(overrides_require_approval=True, slack_channel_id="C_PAY")
    override = request(team)
    note = Notification.objects.get()
    assert (note.kind, note.channel) == ("override_request", "C_PAY")
    actions = note.blocks[-1]["elements"]
    assert [a["action_id"] for a in actions] == ["override_approve", "override_reject"]
    assert actions[0]["value"] == str(override.pk)


def test_a_decision_tells_the_requester_and_the_substitute(team):
    from oncall_project.base.outbox.models import Notification

    override = OverrideFactory(team=team, requested_by="U_CAROL", engineer_slack_id="U_BOB")
    override_decide(override=override, actor=LEAD, status="approved")
    dms = Notification.objects.filter(kind="override_decision")
    assert sorted(dms.values_list("channel", flat=True)) == ["U_BOB", "U_CAROL"]
    assert "approved" in dms.first().text
    assert dms.first().text.endswith("by <@U_LEAD>.")  # who decided, not "the system"


# --- overrides in the past ---------------------------------------------------------------------

TUESDAY_NOON = datetime.datetime(2026, 12, 8, 12, 0, tzinfo=datetime.UTC)


def test_an_override_ending_before_todays_on_call_date_is_refused(team):
    with pytest.raises(InvalidInput) as refused:
        request(team, start_date=D(2026, 12, 1), end_date=D(2026, 12, 7), now=TUESDAY_NOON)
    assert "end_date" in refused.value.errors
    assert not Override.objects.exists() and not AuditLog.objects.exists()


def test_an_override_still_running_today_is_taken(team):
    # The on-call day of Tuesday 08:00 is Monday's: it starts at the 09:00 handoff.
    early = TUESDAY_NOON.replace(hour=8)
    override = request(team, start_date=D(2026, 12, 1), end_date=D(2026, 12, 7), now=early)
    assert override.end_date == D(2026, 12, 7)
    assert request(team, start_date=D(2026, 12, 8), end_date=D(2026, 12, 8), now=TUESDAY_NOON)


def test_a_backup_override_reads_today_at_the_backup_lines_own_handoff(team):
    """At Tuesday noon the backup line (handing off at 18:00) is still on Monday's on-call
    date: a backup override ending Monday still runs, though the primary's Monday is over."""
    BackupLineFactory(team=team, handoff_time=datetime.time(18))
    fields = OverrideFields(
        engineer_slack_id="U_BOB", start_date=D(2026, 12, 7), end_date=D(2026, 12, 7)
    )
    override = override_request(
        team=team, actor=BOB, fields=fields, now=TUESDAY_NOON, role="backup"
    )
    assert (override.role, override.end_date) == ("backup", D(2026, 12, 7))


def test_the_system_may_record_an_override_of_the_past(team):
    override = request(
        team, actor=None, start_date=D(2026, 12, 1), end_date=D(2026, 12, 2), now=TUESDAY_NOON
    )
    assert override.requested_by == "system"


# --- a deleted team ----------------------------------------------------------------------------


def test_a_deleted_team_takes_no_override_request_nor_decision(team):
    pending = request(team)
    team.is_active = False
    team.save()
    with pytest.raises(Conflict, match=r"The team is deleted; restore it first\."):
        request(team, start_date=D(2026, 12, 20), end_date=D(2026, 12, 21))
    with pytest.raises(Conflict, match="restore it first"):
        override_decide(override=pending, actor=LEAD, status="approved")
    assert list(Override.objects.values_list("status", flat=True)) == ["pending"]
