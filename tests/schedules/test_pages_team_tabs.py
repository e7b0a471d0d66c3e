"""A team's schedules, overrides and rotation tabs: every write through its action, refusals
as 403, bad input and overlaps shown next to the field with nothing changed."""

import re

import pytest

from audit.models import AuditLog
from schedules.models import Override, Schedule
from teams.models import Person, Team
from tests.factories import (
    BackupLineFactory,
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    TeamFactory,
)
from tests.page_support import (
    assert_login_redirect,
    client_for,
    days,
    field_errors,
    messages_of,
    nothing_changes,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    for uid, weight in (("U_ALICE", 1.0), ("U_BOB", 1.0), ("U_CAROL", 2.0)):
        MembershipFactory(team=team, slack_user_id=uid, display_name=uid[2:].title(), weight=weight)
    return team


TAB_PAGES = [
    "/teams/payments/schedules/",
    "/teams/payments/overrides/",
    "/teams/payments/rotation/",
]


@pytest.mark.parametrize("path", TAB_PAGES)
def test_tabs_send_anonymous_visitors_to_log_in(client, team, path):
    assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
@pytest.mark.parametrize("path", TAB_PAGES)
def test_tabs_open_for_every_signed_in_role(team, role, path):
    assert client_for(role, team).get(path).status_code == 200


# --- schedules -----------------------------------------------------------------------------


def schedule_data(**fields) -> dict:
    return {
        "engineer_slack_id": "U_BOB",
        "start_date": days(10),
        "end_date": days(16),
        "schedule_type": "weekly",
        **fields,
    }


def test_a_lead_creates_edits_and_deletes_a_schedule(team):
    client = client_for("lead", team)
    assert client.post("/teams/payments/schedules/", schedule_data()).status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.origin, schedule.engineer_slack_id) == ("manual", "U_BOB")
    edit = f"/teams/payments/schedules/{schedule.pk}/edit/"
    assert client.get(edit).status_code == 200
    client.post(edit, schedule_data(engineer_slack_id="U_CAROL"))
    assert Schedule.objects.get().engineer_slack_id == "U_CAROL"
    client.post(f"/teams/payments/schedules/{schedule.pk}/delete/")
    assert not Schedule.objects.exists()
    actions = list(AuditLog.objects.filter(entity_type="schedule").values_list("action", flat=True))
    assert sorted(actions) == ["created", "deleted", "updated"]


def test_the_schedules_tab_shows_the_last_thirty_days_and_the_rest_when_asked(team):
    recent = ScheduleFactory(team=team, start_date=days(-12), end_date=days(-10))
    old = ScheduleFactory(team=team, start_date=days(-42), end_date=days(-40))
    client = client_for("member", team)
    assert list(client.get("/teams/payments/schedules/").context["page"]) == [recent]
    shown = client.get("/teams/payments/schedules/", {"past": "1"}).context["page"]
    assert list(shown) == [old, recent]


def test_a_schedule_of_another_team_is_not_found_under_this_teams_tab(team):
    elsewhere = ScheduleFactory(team=TeamFactory())
    staff = client_for("staff")
    with nothing_changes():
        assert staff.get(f"/teams/payments/schedules/{elsewhere.pk}/edit/").status_code == 404
        deleted = staff.post(f"/teams/payments/schedules/{elsewhere.pk}/delete/")
    assert deleted.status_code == 404


def test_a_member_may_not_open_a_schedules_edit_form(team):
    schedule = ScheduleFactory(team=team)
    response = client_for("member", team).get(f"/teams/payments/schedules/{schedule.pk}/edit/")
    assert response.status_code == 403


def test_an_overlapping_schedule_shows_the_clash_next_to_the_dates(team):
    ScheduleFactory(team=team, engineer_slack_id="U_ALICE", start_date=days(12), end_date=days(13))
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post("/teams/payments/schedules/", schedule_data())
    errors = field_errors(response)
    assert list(errors) == ["start_date"]  # once, next to the dates
    assert errors["start_date"] == [
        f"Overlaps the manual schedule of Alice Nguyen (U_ALICE) ({days(12)} to {days(13)})."
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_date": "not a date"}, "end_date"),
        ({"end_date": days(1)}, "end_date"),  # before the start
        ({"schedule_type": "daily"}, "days_of_week"),  # a daily schedule needs days
        ({"engineer_slack_id": "bob"}, "engineer_slack_id"),
    ],
)
def test_a_schedule_with_bad_input_shows_the_field_error(team, fields, field):
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post("/teams/payments/schedules/", schedule_data(**fields))
    assert field in field_errors(response)


def test_a_member_may_not_change_schedules(team):
    schedule = ScheduleFactory(team=team, start_date=days(1), end_date=days(2))
    client = client_for("member", team)
    with nothing_changes():
        create = client.post("/teams/payments/schedules/", schedule_data())
        edit = client.post(f"/teams/payments/schedules/{schedule.pk}/edit/", schedule_data())
        delete = client.post(f"/teams/payments/schedules/{schedule.pk}/delete/")
    assert (create.status_code, edit.status_code, delete.status_code) == (403, 403, 403)


def test_schedules_show_their_origin(team):
    ScheduleFactory(team=team, start_date=days(1), end_date=days(2), origin="auto")
    ScheduleFactory(team=team, start_date=days(3), end_date=days(4), origin="manual")
    page = client_for("member", team).get("/teams/payments/schedules/").content.decode()
    assert "auto · rotation" in page and "badge-manual" in page


@pytest.mark.parametrize("size", [2, 40])
def test_schedules_tab_takes_the_same_queries_whatever_the_number(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        ScheduleFactory(team=team, start_date=days(2 * n), end_date=days(2 * n))
    client = client_for("lead", team)
    with django_assert_max_num_queries(8):
        assert client.get("/teams/payments/schedules/").status_code == 200


# --- overrides -----------------------------------------------------------------------------


def override_data(**fields) -> dict:
    return {
        "engineer_slack_id": "U_MEMBER",
        "replaces_slack_id": "U_ALICE",
        "start_date": days(5),
        "end_date": days(6),
        "reason": "Swap",
        **fields,
    }


def test_a_member_requests_and_a_lead_approves_an_override(team):
    team.overrides_require_approval = True
    team.save()
    member, lead = client_for("member", team), client_for("lead", team)
    response = member.post("/teams/payments/overrides/", override_data(), follow=True)
    assert any("waiting for a lead" in m for m in messages_of(response))
    override = Override.objects.get()
    assert (override.status, override.requested_by) == ("pending", "U_MEMBER")
    decide = f"/teams/payments/overrides/{override.pk}/decide/"
    with nothing_changes():
        assert member.post(decide, {"status": "approved"}).status_code == 403
    lead.post(decide, {"status": "approved"})
    override.refresh_from_db()
    assert (override.status, override.approved_by) == ("approved", "U_LEAD")


def test_the_requester_cancels_their_override_and_a_second_cancel_is_a_message(team):
    override = OverrideFactory(
        team=team,
        engineer_slack_id="U_MEMBER",
        requested_by="U_MEMBER",
        status="approved",
        start_date=days(3),
        end_date=days(3),
    )
    client = client_for("member", team)
    decide = f"/teams/payments/overrides/{override.pk}/decide/"
    client.post(decide, {"status": "cancelled"})
    assert Override.objects.get().status == "cancelled"
    with nothing_changes():
        response = client.post(decide, {"status": "cancelled"}, follow=True)
    assert any("cannot become cancelled" in m for m in messages_of(response))


def decisions_offered(page: str, override: Override) -> set[str]:
    """The statuses the page's buttons for `override` would set."""
    action = f'action="/teams/payments/overrides/{override.pk}/decide/"'
    forms = re.findall(rf"<form [^>]*{re.escape(action)}.*?</form>", page, re.DOTALL)
    return {status for form in forms for status in re.findall(r'name="status" value="(\w+)"', form)}


@pytest.mark.parametrize(
    ("role", "on_mine", "on_the_leads"),
    [
        ("member", {"cancelled"}, set()),
        ("lead", {"approved", "rejected", "cancelled"}, {"approved", "rejected", "cancelled"}),
    ],
)
def test_the_overrides_tab_offers_only_the_decisions_the_viewer_may_make(
    team, role, on_mine, on_the_leads
):
    """Approve and reject for a lead or staff, cancel also on the viewer's own request: no
    button that would end in a 403."""
    team.overrides_require_approval = True
    team.save()
    client = client_for(role, team)
    mine, the_leads = (
        OverrideFactory(
            team=team, engineer_slack_id=who, requested_by=who, start_date=day, end_date=day
        )
        for who, day in (("U_MEMBER", days(3)), ("U_LEAD", days(8)))
    )
    page = client.get("/teams/payments/overrides/").content.decode()
    assert decisions_offered(page, mine) == on_mine
    assert decisions_offered(page, the_leads) == on_the_leads


def test_an_override_that_is_over_offers_nothing_that_would_rewrite_who_was_on_call(team):
    """Over before today's on-call date: a pending one may still be rejected or cancelled (it
    changed nobody's on-call), but not approved; an approved one is not cancelled."""
    pending, approved = (
        OverrideFactory(team=team, status=status, start_date=days(-n), end_date=days(1 - n))
        for status, n in (("pending", 4), ("approved", 6))
    )
    page = client_for("lead", team).get("/teams/payments/overrides/").content.decode()
    assert decisions_offered(page, pending) == {"rejected", "cancelled"}
    assert decisions_offered(page, approved) == set()


def test_an_approved_override_offers_only_cancel_and_a_rejected_one_nothing(team):
    """Whoever asked or covers, and a lead, may still cancel an approved override; a rejected
    one is over for everyone."""
    asked, covers, rejected = (
        OverrideFactory(
            team=team,
            engineer_slack_id=who,
            requested_by=by,
            status=status,
            start_date=day,
            end_date=day,
        )
        for who, by, status, day in (
            ("U_BOB", "U_MEMBER", "approved", days(3)),
            ("U_MEMBER", "U_LEAD", "approved", days(8)),
            ("U_MEMBER", "U_MEMBER", "rejected", days(8)),
        )
    )
    for role in ("member", "lead"):
        page = client_for(role, team).get("/teams/payments/overrides/").content.decode()
        assert decisions_offered(page, asked) == decisions_offered(page, covers) == {"cancelled"}
        assert decisions_offered(page, rejected) == set()


def test_the_overrides_tab_filters_by_status_newest_first(team):
    for day, status in ((3, "approved"), (5, "pending"), (8, "approved")):
        OverrideFactory(team=team, status=status, start_date=days(day), end_date=days(day))
    client = client_for("member", team)
    page = client.get("/teams/payments/overrides/", {"status": "approved"}).context["page"]
    assert [o.start_date for o in page] == [days(8), days(3)]


def test_an_override_request_may_leave_instead_of_and_reason_empty(team):
    client = client_for("member", team)
    client.post("/teams/payments/overrides/", override_data(replaces_slack_id="", reason=""))
    assert Override.objects.get().replaces_slack_id == ""


def test_an_override_of_another_team_is_not_found_under_this_teams_tab(team):
    elsewhere = OverrideFactory(team=TeamFactory(), status="pending")
    staff = client_for("staff")
    with nothing_changes():
        response = staff.post(
            f"/teams/payments/overrides/{elsewhere.pk}/decide/", {"status": "approved"}
        )
    assert response.status_code == 404


def test_a_decision_goes_back_to_a_page_of_this_site_only(team):
    override = OverrideFactory(team=team, status="pending")
    decide = f"/teams/payments/overrides/{override.pk}/decide/"
    lead = client_for("lead", team)
    response = lead.post(
        decide, {"status": "rejected", "next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain == [("/teams/payments/overrides/", 302)]
    assert "Override rejected." in messages_of(response)


def test_a_decision_from_the_dashboard_goes_back_to_it(team):
    override = OverrideFactory(team=team, status="pending")
    decide = f"/teams/payments/overrides/{override.pk}/decide/"
    response = client_for("lead", team).post(decide, {"status": "approved", "next": "/"})
    assert response["Location"] == "/"


def test_a_decision_that_is_none_says_so_and_changes_nothing(team):
    override = OverrideFactory(team=team, status="pending")
    lead = client_for("lead", team)
    with nothing_changes():
        response = lead.post(
            f"/teams/payments/overrides/{override.pk}/decide/", {"status": "pending"}, follow=True
        )
    assert "Choose approve, reject or cancel." in messages_of(response)


def test_the_overrides_tab_names_who_approved(team):
    OverrideFactory(team=team, status="approved", approved_by="U_CAROL")
    OverrideFactory(team=team, status="pending", start_date=days(20), end_date=days(20))
    page = client_for("member", team).get("/teams/payments/overrides/").content.decode()
    assert 'by <span class="person">Carol <code class="slack-id">U_CAROL</code>' in page
    assert page.count("by <span") == 1  # none for the pending one


def test_someone_outside_the_team_sees_no_request_form(team):
    page = client_for("outsider").get("/teams/payments/overrides/").content.decode()
    assert "Members of Payments, its leads and staff may request overrides." in page
    assert "Request override</button>" not in page


def test_the_request_form_says_whether_a_lead_must_approve(team):
    member = client_for("member", team)
    assert (
        "Requests take effect at once." in member.get("/teams/payments/overrides/").content.decode()
    )
    Team.objects.filter(pk=team.pk).update(overrides_require_approval=True)
    page = member.get("/teams/payments/overrides/").content.decode()
    assert "A lead of Payments must approve requests." in page


def test_an_override_asked_by_an_api_client_and_decided_by_the_system_shows_their_names(team):
    """Not a Slack id: shown as the name it is, not as a person's id to copy."""
    OverrideFactory(team=team, requested_by="bugbot", approved_by="system", status="approved")
    page = client_for("member", team).get("/teams/payments/overrides/").content.decode()
    assert '<span class="person">bugbot</span>' in page
    assert 'by <span class="person">system</span>' in page
    assert '<code class="slack-id">bugbot</code>' not in page


def test_an_overlapping_override_shows_the_clash_once_next_to_the_dates(team):
    OverrideFactory(team=team, start_date=days(6), end_date=days(7), status="approved")
    client = client_for("member", team)
    with nothing_changes():
        response = client.post("/teams/payments/overrides/", override_data())
    errors = field_errors(response)
    message = f"Overlaps the approved override of Bob Stone (U_BOB) ({days(6)} to {days(7)})."
    assert errors == {"start_date": [message]}
    page = response.content.decode()
    assert page.count("Overlaps the approved override") == 1
    assert "Overlaps another pending or approved override" not in page


def test_an_override_replacing_oneself_shows_the_error(team):
    client = client_for("member", team)
    with nothing_changes():
        response = client.post(
            "/teams/payments/overrides/", override_data(replaces_slack_id="U_MEMBER")
        )
    assert "replaces_slack_id" in field_errors(response)


def test_a_person_without_a_slack_identity_may_not_request(team):
    client = client_for("anonymous")
    from tests.page_support import make_user

    client.force_login(make_user())
    with nothing_changes():
        assert client.post("/teams/payments/overrides/", override_data()).status_code == 403


def test_the_request_form_is_prefilled_from_my_schedule(team):
    response = client_for("member", team).get(
        "/teams/payments/overrides/", {"replaces": "U_MEMBER", "start": days(3), "end": days(4)}
    )
    initial = response.context["form"].initial
    assert (initial["replaces_slack_id"], initial["start_date"], initial["end_date"]) == (
        "U_MEMBER",
        str(days(3)),
        str(days(4)),
    )


@pytest.mark.parametrize("size", [2, 40])
def test_overrides_tab_takes_the_same_queries_whatever_the_number(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        OverrideFactory(team=team, start_date=days(2 * n), end_date=days(2 * n))
    client = client_for("lead", team)
    with django_assert_max_num_queries(8):
        assert client.get("/teams/payments/overrides/").status_code == 200


# --- rotation ------------------------------------------------------------------------------


def rotation_data(**fields) -> dict:
    return {
        "rotation_enabled": "on",
        "rotation_type": "weighted",
        "rotation_interval": "weekly",
        "rotation_start_date": days(0),
        "handoff_day": "",
        "handoff_time": "09:00",
        "rotation_order": "",
        "lookahead_periods": "4",
        **fields,
    }


def test_preview_shows_the_next_periods_and_who_gains_without_saving(team):
    client = client_for("member", team)  # reading a preview needs no rights
    with nothing_changes():
        response = client.post("/teams/payments/rotation/preview/", rotation_data(), **HTMX)
    assert response.templates[0].name == "schedules/_rotation_panel.html"
    outcome = response.context["outcome"]
    assert len(outcome.entries) == 4
    assert {"U_ALICE", "U_BOB", "U_CAROL"} <= set(outcome.impact.affected)


def test_preview_with_bad_input_shows_the_field_error(team):
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post(
            "/teams/payments/rotation/preview/", rotation_data(rotation_start_date="")
        )
    assert "rotation_start_date" in field_errors(response)


def member_data(**fields) -> dict:
    return {
        "display_name": "Bob",
        "team_role": "member",
        "is_eligible_for_oncall": "on",
        "weight": "1.0",
        **fields,
    }


def test_a_member_edit_previews_who_would_gain_bobs_shifts_without_saving(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    url = "/teams/payments/members/U_BOB/preview/"
    with nothing_changes():
        response = client.post(url, member_data(is_eligible_for_oncall=""), **HTMX)
    assert response.templates[0].name == "schedules/_member_preview.html"
    [(role, outcome)] = response.context["previews"]
    assert role == "primary" and "U_BOB" in outcome.impact.losses
    page = response.content.decode()
    assert "If saved: the primary line" in page and "Bob" in page
    assert "passes over" in page or "not eligible" in page
    # nothing moved: the same form previews no change
    with nothing_changes():
        unchanged = client.post(url, member_data(), **HTMX)
    assert "Nobody gains or loses a shift" in unchanged.content.decode()


def test_a_member_preview_with_bad_input_says_what_to_fix_and_saves_nothing(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    with nothing_changes():
        response = client.post("/teams/payments/members/U_BOB/preview/", member_data(weight="0"))
    assert response.templates[0].name == "schedules/member_preview.html"
    assert field_errors(response) == {
        "weight": ["Ensure this value is greater than or equal to 0.01."]
    }
    page = response.content.decode()
    assert "Fix the form first: Ensure this value is greater" in page
    assert 'href="/teams/payments/members/U_BOB/edit/">Back to the form</a>' in page


def test_a_member_preview_of_a_team_without_rotation_says_no_shift_moves(team):
    response = client_for("lead", team).post(
        "/teams/payments/members/U_BOB/preview/", member_data(is_eligible_for_oncall=""), **HTMX
    )
    assert "has no rotation" in response.content.decode()


def test_adding_a_member_previews_whose_turns_they_would_take_without_saving(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    Person.objects.update_or_create(slack_user_id="U_DAVE", defaults={"display_name": "Dave"})
    data = {"slack_user_id": "U_DAVE", "team_role": "member", "is_eligible_for_oncall": "on"}
    with nothing_changes():
        response = client.post("/teams/payments/members/preview/", {**data, "weight": "1"}, **HTMX)
    [(role, outcome)] = response.context["previews"]
    assert role == "primary" and "U_DAVE" in outcome.impact.gains
    page = response.content.decode()
    assert 'id="member-preview-new"' in page and "If added: the primary line" in page
    with nothing_changes():
        stranger = client.post(
            "/teams/payments/members/preview/", {**data, "slack_user_id": "U_NOBODY", "weight": "1"}
        )
    assert "U_NOBODY is not in the people directory" in stranger.content.decode()
    assert "Back to the form" in stranger.content.decode()


def test_removing_a_member_shows_what_it_would_move_before_the_button_that_removes(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    with nothing_changes():
        response = client.get("/teams/payments/members/U_BOB/remove/confirm/")
    [(role, outcome)] = response.context["previews"]
    assert role == "primary" and "U_BOB" in outcome.impact.losses
    page = response.content.decode()
    assert "If removed: the primary line" in page
    assert 'action="/teams/payments/members/U_BOB/remove/"' in page
    assert client.post("/teams/payments/members/U_BOB/remove/").status_code == 302
    assert not team.memberships.filter(slack_user_id="U_BOB").exists()


@pytest.mark.parametrize(
    ("role", "who", "status"), [("member", "U_BOB", 403), ("lead", "U_NOBODY", 404)]
)
def test_the_removal_page_is_for_those_who_may_remove_a_member_of_the_team(team, role, who, status):
    client = client_for(role, team)
    with nothing_changes():
        response = client.get(f"/teams/payments/members/{who}/remove/confirm/")
    assert response.status_code == status


PREVIEW = "/teams/payments/members/U_BOB/preview/"


def test_a_member_preview_names_whom_it_moves_and_swaps_in_where_the_next_one_goes(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    page = client.post(PREVIEW, member_data(is_eligible_for_oncall=""), **HTMX).content.decode()
    assert '<span class="person">Bob <code class="slack-id">U_BOB</code>' in page
    assert 'id="member-preview-U_BOB"' in page  # the target of the next Preview


def test_a_member_preview_of_a_team_with_a_backup_line_previews_both_over_their_lookaheads(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data(rotation_type="round_robin"))
    BackupLineFactory(
        team=team,
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="daily",
        rotation_start_date=days(0),
        lookahead_periods=10,
    )
    with nothing_changes():
        response = client.post(PREVIEW, member_data(is_eligible_for_oncall=""), **HTMX)
    [(primary, weeks), (backup, nights)] = response.context["previews"]
    assert (primary, len(weeks.entries)) == ("primary", 4)
    assert (backup, len(nights.entries)) == ("backup", 10)
    assert "If saved: the backup line" in response.content.decode()
    with nothing_changes():
        refused = client.post(PREVIEW, member_data(weight="0"))
    assert field_errors(refused) == {
        "weight": ["Ensure this value is greater than or equal to 0.01."]
    }, "said once, not once a line"


def test_a_member_preview_is_posted_by_someone_signed_in_for_a_member(client, team):
    assert_login_redirect(client.post(PREVIEW, member_data()), PREVIEW)
    lead = client_for("lead", team)
    assert lead.get(PREVIEW).status_code == 405
    assert lead.post("/teams/payments/members/U_NOBODY/preview/", member_data()).status_code == 404


def test_a_lead_saves_the_rotation_and_sees_who_moved(team):
    response = client_for("lead", team).post("/teams/payments/rotation/", rotation_data())
    assert response.status_code == 200 and response.context["saved"]
    team = Team.objects.get(pk=team.pk)
    assert (team.rotation_enabled, team.rotation_type) == (True, "weighted")
    assert Schedule.objects.filter(team=team, origin="auto").count() >= 4
    assert "rotation_config" in AuditLog.objects.values_list("entity_type", flat=True)


def test_a_member_may_not_save_or_generate(team):
    client = client_for("member", team)
    with nothing_changes():
        save = client.post("/teams/payments/rotation/", rotation_data())
        generate = client.post("/teams/payments/rotation/generate/", {"periods": "4"})
    assert (save.status_code, generate.status_code) == (403, 403)


def test_a_lead_generates_the_next_periods(team):
    client = client_for("lead", team)
    client.post("/teams/payments/rotation/", rotation_data())
    Schedule.objects.filter(origin="auto").delete()
    response = client.post("/teams/payments/rotation/generate/", {"periods": "3"}, follow=True)
    assert Schedule.objects.filter(origin="auto").count() == 3
    assert any("Generated 3" in m for m in messages_of(response))


def test_generate_with_bad_periods_shows_the_error(team):
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post("/teams/payments/rotation/generate/", {"periods": "0"})
    assert "periods" in field_errors(response, "generate_form")


def test_the_preview_covers_the_lookahead_the_form_asks_for(team):
    client = client_for("member", team)
    response = client.post(
        "/teams/payments/rotation/preview/", rotation_data(lookahead_periods="6"), **HTMX
    )
    assert len(response.context["outcome"].entries) == 6


def test_saving_the_rotation_says_how_many_peoples_shifts_moved(team):
    response = client_for("lead", team).post("/teams/payments/rotation/", rotation_data())
    moved = len(response.context["outcome"].impact.affected)
    assert moved > 1
    assert f"Rotation saved; {moved} people's shifts moved." in messages_of(response)


def test_saving_the_form_changes_only_what_differs_from_the_rotation_as_saved(team):
    """Bob left the team but stays in the saved order: a new handoff time is saved without
    the order being checked again, as it would be were it a change."""
    Team.objects.filter(pk=team.pk).update(
        rotation_enabled=True,
        rotation_type="custom_order",
        rotation_order=["U_ALICE", "U_BOB"],
        rotation_start_date=days(0),
        rotation_interval="weekly",
    )
    team.memberships.filter(slack_user_id="U_BOB").delete()
    form = rotation_data(
        rotation_type="custom_order", rotation_order="U_ALICE, U_BOB", handoff_time="10:00"
    )
    response = client_for("lead", team).post("/teams/payments/rotation/", form)
    assert response.context["saved"], field_errors(response)
    entry = AuditLog.objects.get(entity_type="rotation_config")
    assert list(entry.changes) == ["handoff_time"]


def test_the_rotation_tab_names_someone_of_the_saved_order_who_left_the_team(team):
    Team.objects.filter(pk=team.pk).update(
        rotation_type="custom_order", rotation_order=["U_ALICE", "U_BOB"]
    )
    team.memberships.filter(slack_user_id="U_BOB").delete()
    response = client_for("lead", team).get("/teams/payments/rotation/")
    assert (
        response.context["names"]["U_BOB"] == Person.objects.get(slack_user_id="U_BOB").display_name
    )


def test_the_rotation_tab_names_members_as_the_team_knows_them(team):
    Person.objects.filter(slack_user_id="U_BOB").update(display_name="Robert in the directory")
    response = client_for("lead", team).get("/teams/payments/rotation/")
    assert response.context["names"]["U_BOB"] == "Bob"
