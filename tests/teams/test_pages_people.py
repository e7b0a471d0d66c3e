"""People on the pages: the picker's search, a name typed without JavaScript, names with the
same queries whatever their number, pages that follow permissions, and times on the viewer's
clock beside the team's."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import Override
from teams.models import Person, Team, TeamMembership
from tests.factories import (
    AuditLogFactory,
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    TeamFactory,
    UserFactory,
    linked_person,
)
from tests.page_support import client_for, days, field_errors, user_for


def directory(slack_user_id: str, name: str, **fields) -> Person:
    return Person.objects.update_or_create(
        slack_user_id=slack_user_id, defaults={"display_name": name, **fields}
    )[0]


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    for slack_id, name in [("U_ALICE", "Alice Nguyen"), ("U_BOB", "Bob Martins")]:
        MembershipFactory(team=team, slack_user_id=slack_id, display_name=name)
        directory(slack_id, name)
    return team


@pytest.fixture
def auth(db):
    auth = TeamFactory(name="Auth & Identity", slug="auth")
    MembershipFactory(team=auth, slack_user_id="U_ALINA", display_name="Alina Petrova")
    directory("U_ALINA", "Alina Petrova")
    return auth


def pick(client, typed: str, team: str = "", field: str = "engineer_slack_id") -> str:
    response = client.get(
        "/people/pick/", {"field": field, field: typed, "team": team, "box": "id_x-people"}
    )
    assert response.status_code == 200
    return response.content.decode()


# --- the picker --------------------------------------------------------------------------


def test_the_picker_finds_people_by_the_start_of_a_name_and_lists_members_first(team, auth):
    found = pick(client_for("member", team), "ali", team="payments")
    assert found.index("Alice Nguyen") < found.index("Alina Petrova")
    assert 'data-value="U_ALICE"' in found and 'data-value="U_ALINA"' in found
    assert "from Auth &amp; Identity" in found  # not a member of Payments
    assert found.count("from ") == 1


def test_the_picker_lists_nobody_before_anything_is_typed_outside_a_team(team):
    response = client_for("member", team).get("/people/pick/", {"field": "q", "q": " "})
    assert response.context["people"] == []


def test_the_picker_names_the_first_by_name_of_an_outsiders_teams(team, auth):
    MembershipFactory(team=TeamFactory(name="Zebra", slug="zebra"), slack_user_id="U_ALINA")
    found = pick(client_for("member", team), "alina", team="payments")
    assert "from Auth &amp; Identity" in found and "Zebra" not in found


def test_the_picker_finds_a_surname_and_a_slack_id(team):
    client = client_for("member", team)
    assert 'data-value="U_ALICE"' in pick(client, "nguy")
    assert 'data-value="U_BOB"' in pick(client, "u_bo")


def test_the_picker_says_when_nobody_matches(team):
    assert "Nobody in the directory matches" in pick(client_for("member", team), "zzz")


def test_the_picker_reads_the_last_name_of_a_list(team):
    response = client_for("lead", team).get(
        "/people/pick/",
        {"field": "rotation_order", "rotation_order": "U_ALICE, bo", "multiple": "1"},
    )
    found = response.content.decode()
    assert 'data-value="U_BOB"' in found and 'data-value="U_ALICE"' not in found


def test_the_picker_takes_the_same_queries_whatever_the_number_found(
    team, django_assert_max_num_queries
):
    client = client_for("member", team)
    pick(client, "a")  # the session and the user, loaded once
    for n in range(20):
        MembershipFactory(team=TeamFactory(), slack_user_id=f"U_AL{n}")
        directory(f"U_AL{n}", f"Alan {n}")
    with django_assert_max_num_queries(5):
        assert pick(client, "al", team="payments").count('role="option"') == 8


def test_person_fields_are_pickers_scoped_to_the_team(team):
    page = client_for("lead", team).get("/teams/payments/overrides/").content.decode()
    assert 'role="combobox"' in page and "team=payments" in page
    assert 'aria-controls="id_engineer_slack_id-people"' in page


# --- without JavaScript: a name typed in full --------------------------------------------


def override_form(**fields) -> dict:
    return {"start_date": days(1), "end_date": days(1), "reason": "", **fields}


def test_a_name_typed_in_full_names_that_person(team):
    client = client_for("member", team)
    response = client.post(
        "/teams/payments/overrides/", override_form(engineer_slack_id="alice nguyen")
    )
    assert response.status_code == 302
    assert Override.objects.get().engineer_slack_id == "U_ALICE"


def test_a_name_nobody_has_is_a_message_beside_the_field(team):
    client = client_for("member", team)
    response = client.post("/teams/payments/overrides/", override_form(engineer_slack_id="Zed"))
    assert "Nobody called 'Zed'" in field_errors(response)["engineer_slack_id"][0]
    assert not Override.objects.exists()


def test_a_name_two_people_have_asks_to_pick_one(team):
    directory("U_ALICE2", "Alice Nguyen")
    client = client_for("member", team)
    response = client.post(
        "/teams/payments/overrides/", override_form(engineer_slack_id="Alice Nguyen")
    )
    assert "Several people" in field_errors(response)["engineer_slack_id"][0]


# --- names ------------------------------------------------------------------------------


def test_overrides_show_names_first_and_the_team_of_an_outsider(team, auth):
    OverrideFactory(
        team=team, engineer_slack_id="U_ALINA", replaces_slack_id="U_BOB", requested_by="U_BOB"
    )
    page = client_for("member", team).get("/teams/payments/overrides/").content.decode()
    assert "Alina Petrova" in page and "from Auth &amp; Identity" in page
    assert 'Bob Martins <code class="slack-id">U_BOB</code>' in page


def test_who_covers_from_another_team_is_named_on_the_overview_and_dashboard(team, auth):
    today = timezone.now().date()
    OverrideFactory(
        team=team, engineer_slack_id="U_ALINA", start_date=today, end_date=today, status="approved"
    )
    for path in ("/teams/payments/", "/"):
        page = client_for("member", team).get(path).content.decode()
        assert "Alina Petrova" in page, path


@pytest.mark.parametrize("size", [2, 30])
def test_the_overrides_tab_names_people_with_the_same_queries(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        directory(f"U_P{n}", f"Person {n}")
        OverrideFactory(
            team=team, engineer_slack_id=f"U_P{n}", start_date=days(2 * n), end_date=days(2 * n)
        )
    client = client_for("lead", team)
    with django_assert_max_num_queries(10):
        page = client.get("/teams/payments/overrides/").content.decode()
    assert f"Person {size - 1}" in page


def test_schedules_and_history_show_names(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(0), end_date=days(2))
    AuditLogFactory(team=team, actor_id="U_ALICE", engineer_slack_id="U_BOB")
    client = client_for("member", team)
    assert "Bob Martins" in client.get("/teams/payments/schedules/").content.decode()
    history = client.get("/teams/payments/history/").content.decode()
    assert "Alice Nguyen" in history


def test_the_schedules_tab_names_a_member_as_the_team_calls_them(team):
    TeamMembership.objects.filter(team=team, slack_user_id="U_BOB").update(display_name="Bobby")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(0), end_date=days(2))
    page = client_for("member", team).get("/teams/payments/schedules/").content.decode()
    assert 'Bobby <code class="slack-id">U_BOB</code>' in page and "Bob Martins" not in page


# --- pages follow permissions ------------------------------------------------------------


def test_someone_outside_the_team_sees_no_override_request_form(team):
    page = client_for("outsider", team).get("/teams/payments/overrides/").content.decode()
    assert "Request override" not in page
    assert "may request overrides" in page


@pytest.mark.parametrize("role", ["member", "staff"])
def test_a_member_and_staff_see_the_request_form(team, role):
    """Staff may request overrides on any team (ensure_may_request_override): the page offers it."""
    page = client_for(role, team).get("/teams/payments/overrides/").content.decode()
    assert "Request override" in page


def test_a_member_sees_settings_and_rotation_read_only(team):
    client = client_for("member", team)
    settings = client.get("/teams/payments/settings/").content.decode()
    assert "Only a lead of Payments or staff" in settings
    assert "<form" not in settings.split('id="main"')[1].split("Log out")[0] or (
        "Save settings" not in settings
    )
    assert "Alice Nguyen" in settings  # the default on-call, by name
    rotation = client.get("/teams/payments/rotation/").content.decode()
    assert "Only a lead of Payments or staff" in rotation and ">Save<" not in rotation


def read_only_values(page: str) -> dict[str, str]:
    """A read-only form's fields as shown: label → value, tags dropped."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page.split('<dl class="readonly">')[1])
    return {label: re.sub(r"<[^>]+>", "", value) for label, value in pairs}


def test_a_member_reads_the_rotation_and_settings_in_words(team):
    """Yes or no, choices by their label, a time without seconds, people by name, a dash for
    nothing."""
    Team.objects.filter(pk=team.pk).update(
        rotation_enabled=True,
        rotation_type="custom_order",
        rotation_interval="weekly",
        handoff_day=0,
        handoff_time=datetime.time(9, 30),
        rotation_order=["U_BOB", "U_ALICE"],
        oncall_engineer="",
    )
    client = client_for("member", team)
    rotation = read_only_values(client.get("/teams/payments/rotation/").content.decode())
    assert rotation == {
        "Rotation on": "yes",
        "Type": "Custom order",
        "Period": "Weekly",
        "Starts": "—",
        "Handoff day": "Monday",
        "Handoff time": "09:30",
        "Custom order": "Bob Martins U_BOB, Alice Nguyen U_ALICE",
        "Periods planned ahead": "4",
    }
    settings = read_only_values(client.get("/teams/payments/settings/").content.decode())
    assert settings["Overrides require approval"] == "no"
    assert (settings["Description"], settings["Default on-call"]) == ("—", "—")


@pytest.mark.parametrize("role", ["member", "lead"])
def test_the_schedules_and_rotation_tabs_offer_their_writes_to_leads_only(team, role):
    """Adding, editing, deleting schedules and generating the rotation's: no form a member
    could only use to get a 403."""
    schedule = ScheduleFactory(team=team, start_date=days(1), end_date=days(2))
    client = client_for(role, team)
    page = client.get("/teams/payments/schedules/").content.decode()
    lead = role == "lead"
    assert ('id="add-h">Add a schedule<' in page) is lead
    assert (f'href="/teams/payments/schedules/{schedule.pk}/edit/"' in page) is lead
    assert (f'action="/teams/payments/schedules/{schedule.pk}/delete/"' in page) is lead
    rotation = client.get("/teams/payments/rotation/").content.decode()
    assert ('action="/teams/payments/rotation/generate/"' in rotation) is lead


def test_a_lead_gets_the_forms(team):
    client = client_for("lead", team)
    assert "Save settings" in client.get("/teams/payments/settings/").content.decode()
    assert ">Save<" in client.get("/teams/payments/rotation/").content.decode()


@pytest.mark.parametrize(
    "path", ["/teams/payments/members/U_BOB/edit/", "/teams/payments/schedules/{pk}/edit/"]
)
def test_an_edit_page_a_member_may_not_use_is_refused_before_the_form(team, path):
    schedule = ScheduleFactory(team=team, start_date=days(0), end_date=days(1))
    response = client_for("member", team).get(path.format(pk=schedule.pk))
    assert response.status_code == 403


@pytest.mark.parametrize(("role", "shown"), [("outsider", False), ("member", True), ("lead", True)])
def test_the_team_ical_secret_is_shown_to_its_members_only(team, role, shown):
    page = client_for(role, team).get("/teams/payments/").content.decode()
    assert (team.ical_token in page) is shown


@pytest.mark.parametrize(("role", "offered"), [("member", False), ("lead", True)])
def test_renewing_the_team_ical_secret_is_offered_to_its_leads_only(team, role, offered):
    page = client_for(role, team).get("/teams/payments/").content.decode()
    assert ('action="/teams/payments/ical-reset/"' in page) is offered


def test_staff_see_the_team_ical_secret(team):
    assert team.ical_token in client_for("staff").get("/teams/payments/").content.decode()


def test_a_member_records_only_their_own_time_away(team):
    client = client_for("member", team)
    page = client.get("/teams/payments/members/").content.decode()
    assert "Add your time away" in page and 'name="slack_user_id" value="U_MEMBER"' in page


# --- times on the viewer's clock ----------------------------------------------------------


@pytest.fixture
def new_york(db):
    team = TeamFactory(name="Ledger", slug="ledger", timezone="America/New_York")
    MembershipFactory(team=team, slack_user_id="U_MEMBER", display_name="Member")
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=days(-1), end_date=days(5))
    return team


def viewer_in(zone: str, team):
    user = user_for("member", team)
    Person.objects.filter(user=user).update(timezone=zone)
    return user


def test_the_team_page_shows_the_viewers_clock_beside_the_teams(new_york):
    client = Client()
    client.force_login(viewer_in("Europe/Berlin", new_york))
    page = client.get("/teams/ledger/").content.decode()
    # Six hours apart, five in the weeks when one side has moved its clocks and not the other.
    assert re.search(r"09:00 E[SD]T · 1[45]:00 CES?T", page)


def test_the_dashboard_until_and_the_audit_trail_read_on_the_viewers_clock(new_york):
    AuditLogFactory(team=new_york)
    client = Client()
    client.force_login(viewer_in("Asia/Tokyo", new_york))
    dashboard = client.get("/").content.decode()
    assert "JST" in dashboard.split("Ledger")[1].split("</tr>")[0]
    assert " JST</time>" in client.get("/audit/").content.decode()


DAY = r"\w{3} \d{1,2} \w{3}"


@pytest.mark.parametrize(
    ("zone", "cell", "until"),
    [
        ("Europe/Berlin", rf"{DAY} 09:00 · 1[45]:00 CES?T", r"09:00 E[SD]T · 1[45]:00 CES?T"),
        # fourteen hours east of UTC: the viewer's clock reads the next day, and says which
        (
            "Pacific/Kiritimati",
            rf"{DAY} 09:00 · {DAY} 0[34]:00 \+14",
            rf"09:00 E[SD]T · {DAY} 0[34]:00 \+14",
        ),
        # the team's own zone: nothing beside the team's clock
        ("America/New_York", rf"{DAY} 09:00", "09:00 E[SD]T"),
    ],
    ids=["six hours east", "the next day", "the same zone"],
)
def test_the_coming_periods_read_on_the_viewers_clock_only_where_it_differs(
    new_york, zone, cell, until
):
    client = Client()
    client.force_login(viewer_in(zone, new_york))
    page = client.get("/teams/ledger/").content.decode()
    table = page.split("Coming periods")[1].split("</table>")[0]
    cells = re.findall(r'data-label="(?:From|Until)">(.*?)</td>', table)
    timed = [c for c in cells if c != "further notice"]  # the default's open end
    assert timed and all(re.fullmatch(cell, c) for c in timed), cells
    (now_until,) = re.findall(r"<dt>Until</dt><dd>(.*?)</dd>", page)
    assert re.fullmatch(rf"{DAY} \d{{4}} {until}", now_until), now_until


def test_a_viewer_without_a_zone_reads_the_teams_clock_alone(new_york):
    client = client_for("member", new_york)
    Person.objects.filter(slack_user_id="U_MEMBER").update(timezone="")
    page = client.get("/teams/ledger/").content.decode()
    assert " · " not in page.split("Coming periods")[1].split("</table>")[0]


def test_a_person_sets_their_own_time_zone_on_the_profile(team):
    client = client_for("member", team)
    assert "Your time zone" in client.get("/profile/").content.decode()
    response = client.post(
        "/profile/details/", {"display_name": "Mia Member", "timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    me = Person.objects.get(slack_user_id="U_MEMBER")
    assert (me.display_name, me.timezone) == ("Mia Member", "Asia/Tokyo")


def test_someone_not_linked_to_slack_has_no_directory_entry_to_name(db):
    user = UserFactory()
    unlinked = linked_person(user, None)
    client = Client()
    client.force_login(user)
    response = client.post("/profile/details/", {"display_name": "Me", "timezone": "UTC"})
    assert response.status_code == 404
    assert Person.objects.get(pk=unlinked.pk).display_name == ""


def test_a_time_zone_that_is_not_one_is_a_message_beside_the_field(team):
    client = client_for("member", team)
    before = Person.objects.get(slack_user_id="U_MEMBER").timezone
    response = client.post("/profile/details/", {"display_name": "", "timezone": "Mars/Olympus"})
    assert "timezone" in field_errors(response, "details")
    assert Person.objects.get(slack_user_id="U_MEMBER").timezone == before


# --- the rotation preview warns --------------------------------------------------------


def test_the_preview_shows_the_rotations_warnings_and_names_the_people(team):
    MembershipFactory(
        team=team, slack_user_id="U_IDLE", display_name="Ida", is_eligible_for_oncall=False
    )
    directory("U_IDLE", "Ida Idle")
    response = client_for("lead", team).post(
        "/teams/payments/rotation/preview/",
        {
            "rotation_enabled": "on",
            "rotation_type": "custom_order",
            "rotation_interval": "daily",
            "rotation_start_date": days(0),
            "handoff_time": "09:00",
            "rotation_order": "Alice Nguyen, bob martins, U_IDLE",
            "lookahead_periods": 7,
        },
    )
    warnings = response.content.decode().split('class="warnings"')[1].split("</ul>")[0]
    assert "U_IDLE" in warnings and "not eligible" in warnings
    assert "U_ALICE" not in warnings
    assert "Alice Nguyen" in response.content.decode().split("Next periods")[1]


def _preview_query_count(team, order: str) -> int:
    client = client_for("lead", team)
    body = {
        "rotation_enabled": "on",
        "rotation_type": "custom_order",
        "rotation_interval": "daily",
        "rotation_start_date": days(0),
        "handoff_time": "09:00",
        "rotation_order": order,
        "lookahead_periods": 7,
    }
    with CaptureQueriesContext(connection) as queries:
        client.post("/teams/payments/rotation/preview/", body)
    return len(queries)


def test_names_in_the_custom_order_are_read_in_one_query_and_bounded(team):
    names = []
    for n in range(10):
        MembershipFactory(team=team, slack_user_id=f"U_ROTA{n}", display_name="")
        directory(f"U_ROTA{n}", f"Rota Person {n}")
        names.append(f"rota person {n}")
    few = _preview_query_count(team, ", ".join(names[:2]))
    many = _preview_query_count(team, ", ".join(names))
    assert many == few
    too_long = ", ".join(["Alice Nguyen"] * 2_000)
    response = client_for("lead", team).post(
        "/teams/payments/rotation/preview/", {"rotation_order": too_long}
    )
    assert "at most" in " ".join(field_errors(response)["rotation_order"])


def test_the_custom_order_refuses_someone_outside_the_team(team, auth):
    response = client_for("lead", team).post(
        "/teams/payments/rotation/preview/",
        {
            "rotation_enabled": "on",
            "rotation_type": "custom_order",
            "rotation_interval": "daily",
            "rotation_start_date": days(0),
            "handoff_time": "09:00",
            "rotation_order": "U_ALICE, U_ALINA",
            "lookahead_periods": 7,
        },
    )
    assert "U_ALINA" in " ".join(field_errors(response)["rotation_order"])


def test_my_schedule_names_me_and_keeps_the_feed_when_the_dates_are_wrong(team):
    client = client_for("member", team)
    Person.objects.filter(slack_user_id="U_MEMBER").update(display_name="Mia Member")
    page = client.get("/me/schedule/", {"start": days(5), "end": days(1)}).content.decode()
    assert 'Mia Member <code class="slack-id">U_MEMBER</code>' in page
    assert "The end is before the start." in page
    assert "/ical/" in page and ">None<" not in page


# --- what the pages said wrong -----------------------------------------------------------


def test_a_past_override_is_one_message_with_a_readable_date(team):
    client = client_for("member", team)
    response = client.post(
        "/teams/payments/overrides/",
        override_form(engineer_slack_id="U_ALICE", start_date=days(-3), end_date=days(-2)),
    )
    form = response.context["form"]
    assert form.non_field_errors() == []
    [message] = form.errors["end_date"]
    assert "Ends before today's on-call date" in message
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message)


def test_the_audit_viewer_says_when_the_end_is_before_the_start(team):
    AuditLogFactory(team=team)
    response = client_for("staff").get("/audit/", {"date_from": days(2), "date_to": days(0)})
    assert field_errors(response)["date_to"] == ["The end is before the start."]
    assert "fix the filters above" in response.content.decode()


def test_the_calendar_says_when_yesterdays_on_call_day_is_still_running(team):
    now = timezone.now()
    if now.hour == 23:
        pytest.skip("the handoff an hour from now would fall on the next day")
    team.handoff_time = (now + datetime.timedelta(hours=1)).time().replace(second=0)
    team.save()
    page = client_for("member", team).get("/teams/payments/").content.decode()
    assert "is still running" in page and "the on-call day running now" in page
