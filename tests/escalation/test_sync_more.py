"""Slack group sync beyond the basics: display names (cached), Slack failures, the periodic task
with its retries, the admin action, and the on-call user group set at each handoff."""

import logging
import time
import uuid

import pytest

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden
from schedules.tasks import handoff_tick
from teams.models import Person, Team, TeamMembership, TeamRole
from teams.slack_sync import SlackUnavailable, sync_team_from_slack
from teams.tasks import set_oncall_usergroup, slack_group_sync_tick, sync_team_slack_group
from tests.admin_support import admin_url, login_operator, messages_of
from tests.celery_worker import celery_worker, wait_for
from tests.factories import MembershipFactory, TeamFactory
from tests.slow_slack import team_edited_while_slack_hangs


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A cache of this test's own: display names cached by another test must not leak in."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


def names(team: Team) -> dict[str, str]:
    rows = TeamMembership.objects.filter(team=team)
    return dict(rows.values_list("slack_user_id", "display_name"))


# --- display names -------------------------------------------------------------------------


def test_sync_asks_slack_only_about_people_the_directory_cannot_name_and_audits_each_name(
    db, fake_slack
):
    team = TeamFactory(slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice")
    MembershipFactory(team=team, slack_user_id="U_BARE", display_name="")
    Person.objects.update_or_create(slack_user_id="U_ALICE", defaults={"display_name": "Alice"})
    fake_slack.usergroups["S_PAY"] = ["U_ALICE", "U_BARE", "U_NINA"]
    fake_slack.profiles["U_BARE"] = {"display_name": "", "real_name": "Bare Bones"}
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}

    sync_team_from_slack(team=team, actor=None)

    assert names(team) == {"U_ALICE": "Alice", "U_BARE": "Bare Bones", "U_NINA": "nina"}
    assert sorted(c.body["user"] for c in fake_slack.calls_to("users.info")) == [
        "U_BARE",
        "U_NINA",
    ]
    named = AuditLog.objects.filter(entity_type="team_membership", action__in=["updated"])
    assert {r.engineer_slack_id: r.changes["display_name"] for r in named} == {
        "U_BARE": {"old": "", "new": "Bare Bones"},
        "U_NINA": {"old": "", "new": "nina"},
    }


def test_people_named_by_one_sync_are_not_asked_about_again(db, fake_slack):
    payments = TeamFactory(slack_group_id="S_PAY")
    search = TeamFactory(slack_group_id="S_SEARCH")
    fake_slack.usergroups.update(S_PAY=["U_NINA"], S_SEARCH=["U_NINA"])
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}

    sync_team_from_slack(team=payments, actor=None)
    sync_team_from_slack(team=search, actor=None)

    assert names(payments) == names(search) == {"U_NINA": "nina"}
    assert len(fake_slack.calls_to("users.info")) == 1


def test_a_name_slack_cannot_give_leaves_the_sync_done_and_is_asked_again_next_time(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.script(200, {"ok": True, "users": ["U_NINA"]})
    fake_slack.script(500)  # users.info: Slack has a bad moment

    outcome = sync_team_from_slack(team=team, actor=None)

    assert outcome["added"] == ["U_NINA"] and names(team) == {"U_NINA": ""}
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}
    sync_team_from_slack(team=team, actor=None)
    assert names(team) == {"U_NINA": "nina"}  # a failure is not cached


def test_an_unknown_user_gets_no_name_and_the_others_still_do(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.script(200, {"ok": True, "users": ["U_GHOST", "U_NINA"]})
    fake_slack.script(200, {"ok": False, "error": "user_not_found"})
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}

    sync_team_from_slack(team=team, actor=None)

    assert names(team) == {"U_GHOST": "", "U_NINA": "nina"}


def test_sync_takes_slacks_full_name_and_time_zone_and_leaves_out_deactivated_accounts(
    db, fake_slack
):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA", "U_GONE"]
    fake_slack.users["U_NINA"] = {
        "id": "U_NINA",
        "name": "nina",
        "real_name": "Nina Simone",  # beside the profile, where Slack also puts it
        "tz": "Europe/Paris",
        "profile": {"display_name": "nina"},
    }
    fake_slack.users["U_GONE"] = {
        "id": "U_GONE",
        "name": "gone",
        "deleted": True,
        "profile": {"display_name": "gone"},
    }

    sync_team_from_slack(team=team, actor=None)

    nina = Person.objects.get(slack_user_id="U_NINA")
    assert (nina.display_name, nina.real_name, nina.timezone) == (
        "nina",
        "Nina Simone",
        "Europe/Paris",
    )
    assert not Person.objects.filter(slack_user_id="U_GONE").exists()


# --- refusals and failures ----------------------------------------------------------------------


def test_slack_down_makes_the_sync_temporarily_unavailable_and_changes_nothing(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    fake_slack.begin_outage()
    with pytest.raises(SlackUnavailable) as refused:
        sync_team_from_slack(team=team, actor=None)
    assert refused.value.status_code == 503 and "500" in refused.value.message
    assert not TeamMembership.objects.exists() and not AuditLog.objects.exists()


def test_an_outage_while_naming_members_stops_asking_and_the_sync_stays_done(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.script(200, {"ok": True, "users": ["U_QA1", "U_QA2", "U_QA3"]})
    fake_slack.script(500)  # users.info: Slack is down from here on, for a while
    fake_slack.profiles.update(
        {u: {"display_name": u.lower()} for u in ("U_QA1", "U_QA2", "U_QA3")}
    )

    outcome = sync_team_from_slack(team=team, actor=None)

    # one question, not one per member each waiting on a Slack that is down
    assert [c.body["user"] for c in fake_slack.calls_to("users.info")] == ["U_QA1"]
    assert outcome["added"] == ["U_QA1", "U_QA2", "U_QA3"]
    assert names(team) == {"U_QA1": "", "U_QA2": "", "U_QA3": ""}  # named by the next sync


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slow", ["usergroups.users.list", "users.info"])
def test_while_slack_is_slow_to_answer_a_sync_the_team_stays_writable(fake_slack, slow):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}
    synced = team_edited_while_slack_hangs(
        fake_slack, slow, team, lambda: sync_team_from_slack(team=team, actor=None)
    )
    assert synced and synced[0]["added"] == ["U_NINA"]
    assert names(team) == {"U_NINA": "nina"}


def test_a_member_may_not_sync_and_slack_is_never_called(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    with pytest.raises(Forbidden):
        sync_team_from_slack(team=team, actor=Actor.slack("U_MEMBER"))
    assert fake_slack.calls == []
    assert list(TeamMembership.objects.values_list("slack_user_id", flat=True)) == ["U_MEMBER"]


def test_a_lead_may_sync_and_is_the_audited_actor(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    fake_slack.usergroups["S_PAY"] = ["U_LEAD", "U_NINA"]
    sync_team_from_slack(team=team, actor=Actor.slack("U_LEAD"))
    assert set(AuditLog.objects.values_list("actor_id", flat=True)) == {"U_LEAD"}


ODD_ENTRIES = ["not an id", "U" * 100, "U_OK\x00", "", 42, None, {"id": "U_X"}, "U_NINA"]


def test_what_is_no_user_id_in_slacks_member_list_is_left_out(db, fake_slack, caplog):
    """Slack's answer is outside input too: one odd entry neither fails the sync (a 500, once
    a half-written one) nor becomes a member; the rest are synced, each once."""
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA", *ODD_ENTRIES]
    outcome = sync_team_from_slack(team=team, actor=None)
    assert outcome["added"] == ["U_NINA"] and names(team) == {"U_NINA": "U_NINA"}
    assert "7 entries of user group S_PAY that are no user id" in caplog.text


def test_an_answer_with_no_member_list_is_no_empty_group(db, fake_slack):
    """Were it read as an empty group, everyone would leave the rotation."""
    team = TeamFactory(slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_NINA", in_slack_group=True)
    fake_slack.script(200, {"ok": True, "users": "U_NINA"})
    with pytest.raises(SlackUnavailable, match="no list of members"):
        sync_team_from_slack(team=team, actor=None)
    assert TeamMembership.objects.get().in_slack_group is True


@pytest.mark.parametrize(
    ("profile", "stored"),
    [
        ({"display_name": "  Nina  "}, "Nina"),
        ({"display_name": "N" * 600}, "N" * 120),
        ({"display_name": "Ni\x00na"}, ""),
        ({"display_name": "\ud800"}, ""),
        ({"display_name": 5}, ""),
        ("a profile", ""),
    ],
)
def test_a_name_from_slack_is_kept_as_far_as_it_can_be_stored(db, fake_slack, profile, stored):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    fake_slack.profiles["U_NINA"] = profile
    sync_team_from_slack(team=team, actor=None)
    assert Person.objects.get(slack_user_id="U_NINA").display_name == stored
    assert names(team) == {"U_NINA": stored}


# --- the periodic sync ---------------------------------------------------------------------------


def test_the_team_task_retries_a_slack_outage_then_syncs(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    fake_slack.script(500)
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"})

    # Eager: each retry runs at once, in this process, through the task's own retry path.
    sync_team_slack_group.apply(args=[str(team.pk)])

    assert [c.status for c in fake_slack.calls_to("usergroups.users.list")] == [500, 429, 200]
    assert names(team) == {"U_NINA": "U_NINA"}


def test_the_team_task_does_not_retry_a_refusal(db, fake_slack, caplog):
    team = TeamFactory(slack_group_id="S_GONE")
    fake_slack.script(200, {"ok": False, "error": "no_such_subteam"})
    with caplog.at_level(logging.WARNING, logger="escalation.tasks"):
        assert sync_team_slack_group.apply(args=[str(team.pk)]).get() == {}
    assert len(fake_slack.calls) == 1 and "no_such_subteam" in caplog.text


@pytest.mark.parametrize("team_fields", [{"slack_group_id": ""}, {"is_active": False}])
def test_the_team_task_skips_a_team_without_group_or_inactive(db, fake_slack, team_fields):
    team = TeamFactory(**{"slack_group_id": "S_PAY", **team_fields})
    assert sync_team_slack_group.apply(args=[str(team.pk)]).get() == {}
    assert fake_slack.calls == []


def test_the_tick_does_nothing_without_slack(db, settings):
    settings.SLACK_BOT_TOKEN = ""
    TeamFactory(slack_group_id="S_PAY")
    assert slack_group_sync_tick.apply().get() == 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_tick_syncs_every_active_team_with_a_group_through_a_worker(fake_slack):
    payments = TeamFactory(slack_group_id="S_PAY")
    search = TeamFactory(slack_group_id="S_SEARCH")
    TeamFactory(slack_group_id="S_OLD", is_active=False)
    TeamFactory()
    fake_slack.usergroups.update(S_PAY=["U_ANA", "U_BEN"], S_SEARCH=["U_CY"], S_OLD=["U_DI"])
    with celery_worker(queue="celery"):
        slack_group_sync_tick.delay()
        slack_group_sync_tick.delay()  # a second beat ticking at the same time

        def synced():
            # the directory already names them: Slack is not asked
            return names(payments) == {"U_ANA": "Ana", "U_BEN": "Ben"} and names(search) == {
                "U_CY": "Cy"
            }

        wait_for(synced)
        wait_for(lambda: len(fake_slack.calls_to("usergroups.users.list")) == 4)
    listed = sorted(c.body["usergroup"] for c in fake_slack.calls_to("usergroups.users.list"))
    assert listed == ["S_PAY", "S_PAY", "S_SEARCH", "S_SEARCH"]
    # the second run of each team found nothing to change: one sync entry per team
    assert AuditLog.objects.filter(action="synced_from_slack").count() == 2
    assert TeamMembership.objects.count() == 3


# --- the admin action ----------------------------------------------------------------------------


def test_admin_action_syncs_each_selected_team_and_reports_each_refusal(db, client, fake_slack):
    login_operator(client)
    payments = TeamFactory(name="Payments", slack_group_id="S_PAY")
    bare = TeamFactory(name="Bare")
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]

    response = client.post(
        admin_url(Team, "changelist"),
        {"action": "sync_from_slack", "_selected_action": [payments.pk, bare.pk]},
        follow=True,
    )

    assert sorted(messages_of(response)) == [
        "Bare: Bare has no Slack user group to sync from.",
        "Payments: synced from Slack (1 added, 0 returned, 0 gone).",
    ]
    assert names(payments) == {"U_NINA": "U_NINA"}
    row = AuditLog.objects.get(action="synced_from_slack")
    assert (row.actor_id, row.metadata["source"]) == ("ops", "admin")


@pytest.mark.django_db(transaction=True)
def test_while_slack_is_slow_the_admin_sync_holds_no_team_it_synced_locked(client, fake_slack):
    """Other bulk actions are all-or-nothing in one transaction; the Slack sync is not: Alpha,
    synced first, is writable while Slack is slow to name Beta's newcomer."""
    login_operator(client)
    alpha = TeamFactory(name="Alpha", slack_group_id="S_ALPHA")
    beta = TeamFactory(name="Beta", slack_group_id="S_BETA")
    fake_slack.usergroups |= {"S_ALPHA": ["U_ALICE"], "S_BETA": ["U_NINA"]}
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}
    picked = [alpha.pk, beta.pk]
    done = team_edited_while_slack_hangs(
        fake_slack,
        "users.info",  # asked about U_NINA alone: the directory knows Alice
        alpha,
        lambda: client.post(
            admin_url(Team, "changelist"), {"action": "sync_from_slack", "_selected_action": picked}
        ),
    )
    assert done and done[0].status_code == 302
    assert {c.body["user"] for c in fake_slack.calls_to("users.info")} == {"U_NINA"}  # a retry
    assert names(beta) == {"U_NINA": "nina"}


# --- the on-call user group ----------------------------------------------------------------------


def oncall_team(**fields) -> Team:
    return TeamFactory(oncall_usergroup_id="S_PAY_ONCALL", **fields)


def test_the_oncall_group_holds_the_current_on_call(db, fake_slack):
    team = oncall_team(current_engineer="U_ALICE")
    fake_slack.usergroups["S_PAY_ONCALL"] = ["U_BOB"]
    assert set_oncall_usergroup.apply(args=[str(team.pk)]).get() == ["U_ALICE"]
    assert fake_slack.usergroups["S_PAY_ONCALL"] == ["U_ALICE"]


def test_with_nobody_on_call_the_group_falls_back_to_the_leads_still_in_slack(db, fake_slack):
    team = oncall_team(current_engineer="")
    MembershipFactory(team=team, slack_user_id="U_LEAD2", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_LEAD1", team_role=TeamRole.LEAD)
    MembershipFactory(
        team=team, slack_user_id="U_LEFT", team_role=TeamRole.LEAD, in_slack_group=False
    )
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    fake_slack.usergroups["S_PAY_ONCALL"] = ["U_YESTERDAY"]
    set_oncall_usergroup.apply(args=[str(team.pk)])
    assert fake_slack.usergroups["S_PAY_ONCALL"] == ["U_LEAD1", "U_LEAD2"]


def test_with_nobody_on_call_and_no_lead_the_group_is_left_alone(db, fake_slack, caplog):
    team = oncall_team(current_engineer="")
    with caplog.at_level(logging.WARNING, logger="escalation.sync"):
        assert set_oncall_usergroup.apply(args=[str(team.pk)]).get() == []
    assert fake_slack.calls == [] and "no lead" in caplog.text


def test_slack_refusing_the_group_update_is_logged_not_raised(db, fake_slack, caplog):
    team = oncall_team(current_engineer="U_ALICE")
    fake_slack.script(200, {"ok": False, "error": "permission_denied"})
    with caplog.at_level(logging.ERROR, logger="escalation.sync"):
        result = set_oncall_usergroup.apply(args=[str(team.pk)])
    assert result.successful() and result.get() == []
    assert "permission_denied" in caplog.text and len(fake_slack.calls) == 1


def test_a_rate_limited_group_update_is_retried(db, fake_slack):
    team = oncall_team(current_engineer="U_ALICE")
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "5"})
    set_oncall_usergroup.apply(args=[str(team.pk)])
    updates = fake_slack.calls_to("usergroups.users.update")
    assert [c.status for c in updates] == [429, 200]
    assert fake_slack.usergroups["S_PAY_ONCALL"] == ["U_ALICE"]


def test_a_group_update_for_a_team_gone_since_it_was_queued_does_nothing(db, fake_slack):
    team = oncall_team(current_engineer="U_ALICE")
    team_id = str(team.pk)
    team.delete()
    result = set_oncall_usergroup.apply(args=[team_id])
    assert result.successful() and result.get() == []
    assert fake_slack.calls == []


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_for_slacks_retry_after_before_setting_the_group_again(fake_slack):
    team = oncall_team(current_engineer="U_ALICE")
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"})
    answered = []
    fake_slack.on_answer = lambda call, payload: answered.append(time.monotonic())
    with celery_worker() as queue:
        set_oncall_usergroup.apply_async([str(team.pk)], queue=queue)
        wait_for(lambda: fake_slack.usergroups.get("S_PAY_ONCALL") == ["U_ALICE"])
    refused, updated = answered
    assert updated - refused >= 2.5  # Slack asked for 3 seconds' rest (the backoff gives 2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_handoff_through_the_worker_sets_the_oncall_group(fake_slack):
    TeamFactory(oncall_engineer="U_ALICE", oncall_usergroup_id="S_PAY_ONCALL")
    fake_slack.usergroups["S_PAY_ONCALL"] = ["U_YESTERDAY"]
    with celery_worker(queue="celery"):
        handoff_tick.delay()
        wait_for(lambda: fake_slack.usergroups["S_PAY_ONCALL"] == ["U_ALICE"])
    (update,) = fake_slack.calls_to("usergroups.users.update")
    assert update.body == {"usergroup": "S_PAY_ONCALL", "users": "U_ALICE"}


@pytest.mark.parametrize("fields", [{"oncall_usergroup_id": ""}, {}])
def test_no_group_or_no_slack_means_no_call(db, fake_slack, settings, fields):
    if not fields:
        settings.SLACK_BOT_TOKEN = ""
    team = TeamFactory(current_engineer="U_ALICE", **{"oncall_usergroup_id": "S_X", **fields})
    assert set_oncall_usergroup.apply(args=[str(team.pk)]).get() == []
    assert fake_slack.calls == []
