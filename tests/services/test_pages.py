"""The services directory: filters, who is on call per service, create/edit/soft delete through
the actions (staff, or the team's leads), bad input, and query counts."""

import pytest

from audit.models import AuditLog
from services.models import Service
from teams.models import Person
from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory
from tests.page_support import (
    assert_login_redirect,
    client_for,
    days,
    field_errors,
    messages_of,
    nothing_changes,
)


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Nguyen")
    return team


@pytest.fixture
def service(team):
    return ServiceFactory(name="Payment API", team=team, tier="critical", environment="production")


def pages(service) -> list[str]:
    base = f"/services/{service.pk}/"
    return ["/services/", "/services/new/", base, base + "edit/", base + "delete/"]


def test_service_pages_send_anonymous_visitors_to_log_in(client, service):
    for path in pages(service):
        assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
def test_service_pages_open_for_every_signed_in_role(team, service, role):
    client = client_for(role, team)
    for path in pages(service):
        # A member gets no form that would end in a 403: its edit and delete pages refuse.
        refused = role == "member" and path.endswith(("edit/", "delete/"))
        assert client.get(path).status_code == (403 if refused else 200), path


@pytest.mark.parametrize(("role", "offered"), [("member", False), ("lead", True), ("staff", True)])
def test_the_service_page_offers_edit_and_delete_only_to_whom_may_use_them(
    team, service, role, offered
):
    page = client_for(role, team).get(f"/services/{service.pk}/").content.decode()
    assert (f'href="/services/{service.pk}/edit/"' in page) is offered
    assert (f'href="/services/{service.pk}/delete/"' in page) is offered


def test_directory_shows_who_is_on_call_for_each_service(team, service):
    ServiceFactory(name="Ledger", team=None, primary_oncall="U_PRIMARY")
    response = client_for("member", team).get("/services/")
    answers = {s.name: answer for s, answer in response.context["rows"]}
    assert (answers["Payment API"].target, answers["Payment API"].source) == (
        "U_ALICE",
        "team_default",
    )
    assert (answers["Ledger"].target, answers["Ledger"].source) == ("U_PRIMARY", "primary_oncall")
    assert "Alice Nguyen" in response.content.decode()


def test_directory_answers_for_now(team, service):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(1))
    response = client_for("member", team).get("/services/")
    (answer,) = [a for s, a in response.context["rows"] if s.name == "Payment API"]
    assert (answer.target, answer.source) == ("U_BOB", "schedule")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "payment"}, ["Payment API"]),
        ({"team": "payments"}, ["Payment API"]),
        ({"tier": "low"}, ["Search"]),
        ({"environment": "staging"}, ["Search"]),
        ({"active": "inactive"}, ["Old"]),
        ({"active": "all"}, ["Old", "Payment API", "Search"]),
        ({}, ["Payment API", "Search"]),
    ],
)
def test_directory_filters(team, service, query, expected):
    ServiceFactory(name="Search", team=None, tier="low", environment="staging")
    ServiceFactory(name="Old", team=team, is_active=False)
    response = client_for("member", team).get("/services/", query)
    assert [s.name for s, _ in response.context["rows"]] == expected
    assert ">Archived</option>" in response.content.decode()


@pytest.mark.parametrize("size", [2, 40])
def test_directory_takes_the_same_queries_whatever_the_number_of_services(
    db, size, django_assert_max_num_queries
):
    for _ in range(size):
        team = TeamFactory()
        ScheduleFactory(team=team, start_date=days(-1), end_date=days(1))
        ServiceFactory(team=team)
    client = client_for("staff")
    with django_assert_max_num_queries(9):
        assert client.get("/services/").status_code == 200


def test_service_detail_explains_the_fallback_chain(team):
    service = ServiceFactory(name="Ledger", team=None, service_owner="U_OWNER")
    result = client_for("member", team).get(f"/services/{service.pk}/").context["result"]
    assert (result.target, result.mention) == ("U_OWNER", "<@U_OWNER>")
    assert [s.state for s in result.steps] == [
        "skipped",
        "skipped",
        "answered",
        "not_needed",
        "not_needed",
    ]


def test_service_detail_of_a_deleted_teams_service_falls_back_as_without_a_team(db):
    gone = TeamFactory(name="Gone", slug="gone", oncall_engineer="U_ALICE", is_active=False)
    service = ServiceFactory(name="Ledger", team=gone, service_owner="U_OWNER")
    result = client_for("staff").get(f"/services/{service.pk}/").context["result"]
    assert (result.team, result.target, result.source) == (None, "U_OWNER", "service_owner")
    assert (result.steps[0].label, result.steps[0].value) == ("The service's team", "no team")


def test_service_detail_in_its_teams_gap_gives_the_fallback_that_answers(db):
    """The team has nobody on call: the page says whom the service's chain gave, not "gap"."""
    empty = TeamFactory(name="Empty", slug="empty", oncall_engineer="", slack_group_id="")
    service = ServiceFactory(name="Ledger", team=empty, service_owner="U_OWNER")
    result = client_for("staff").get(f"/services/{service.pk}/").context["result"]
    assert (result.team, result.target, result.source) == (empty, "U_OWNER", "service_owner")


# --- writes ----------------------------------------------------------------------------------


def service_data(**fields) -> dict:
    return {
        "name": "Checkout",
        "team": "payments",
        "tier": "standard",
        "environment": "production",
        **fields,
    }


def test_a_lead_creates_and_edits_a_service_of_their_team(team):
    client = client_for("lead", team)
    response = client.post("/services/new/", service_data(metadata='{"runbook": "https://x"}'))
    service = Service.objects.get(name="Checkout")
    assert response["Location"] == f"/services/{service.pk}/"
    assert service.metadata == {"runbook": "https://x"}
    client.post(f"/services/{service.pk}/edit/", service_data(tier="critical"))
    assert Service.objects.get(pk=service.pk).tier == "critical"
    assert AuditLog.objects.filter(entity_type="service").count() == 2


def test_a_member_may_not_create_or_edit_services(team, service):
    client = client_for("member", team)
    with nothing_changes():
        create = client.post("/services/new/", service_data())
        edit = client.post(f"/services/{service.pk}/edit/", service_data(name="Payment API"))
        delete = client.post(f"/services/{service.pk}/delete/")
    assert (create.status_code, edit.status_code, delete.status_code) == (403, 403, 403)


def test_only_staff_creates_a_service_without_a_team(team):
    lead = client_for("lead", team)
    with nothing_changes():
        assert lead.post("/services/new/", service_data(team="")).status_code == 403
    client_for("staff").post("/services/new/", service_data(team=""))
    assert Service.objects.get(name="Checkout").team is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "payment api"}, "name"),  # names are unique whatever the case
        ({"service_owner": "alice"}, "service_owner"),
        ({"metadata": "not json"}, "metadata"),
        ({"metadata": '{"runbook": NaN}'}, "metadata"),  # parsed, but jsonb refuses it
        ({"metadata": '{"runbook": "a\\u0000b"}'}, "metadata"),  # jsonb refuses NUL in text
        ({"metadata": "[" * 2000 + "]" * 2000}, "metadata"),  # beyond the JSON decoder's depth
        ({"metadata": '{"a": ' + "[" * 600 + "]" * 600 + "}"}, "metadata"),  # beyond the audit's
        ({"repository_url": "not a url"}, "repository_url"),
        ({"tier": "gold"}, "tier"),
    ],
)
def test_a_service_with_bad_input_shows_the_field_error(team, service, fields, field):
    client = client_for("staff")
    with nothing_changes():
        response = client.post("/services/new/", service_data(**fields))
    assert field in field_errors(response)


def test_soft_delete_asks_first_and_can_be_undone(team, service):
    client = client_for("lead", team)
    assert "Delete Payment API?" in client.get(f"/services/{service.pk}/delete/").content.decode()
    assert client.post(f"/services/{service.pk}/delete/")["Location"] == "/services/"
    assert Service.objects.get(pk=service.pk).is_active is False
    client.post(f"/services/{service.pk}/restore/")
    assert Service.objects.get(pk=service.pk).is_active is True


def test_directory_names_whom_a_page_reaches_for_a_team_that_cannot_answer(team, service):
    """Its zone went in a tzdata update since it was saved (US/Pacific-New, 2020b): the row
    says why, and whom a page reaches instead (as the API and escalations do), by name."""
    odd = TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="")
    ServiceFactory(name="Ledger", team=odd, primary_oncall="U_FALLBACK")
    Person.objects.update_or_create(
        slack_user_id="U_FALLBACK", defaults={"display_name": "Fay Fallback"}
    )
    response = client_for("member", team).get("/services/")
    assert response.status_code == 200
    answers = {s.name: answer for s, answer in response.context["rows"]}
    ledger = answers["Ledger"]
    assert (ledger.target, ledger.source) == ("U_FALLBACK", "primary_oncall")
    assert ledger.team_error == "Unknown time zone 'US/Pacific-New'."
    assert answers["Payment API"].team_error is None
    page = response.content.decode()
    assert "cannot answer</span> Unknown time zone &#x27;US/Pacific-New&#x27;. A page reaches:" in (
        page
    )
    assert "Fay Fallback" in page


# --- the form's choices and what it starts from -----------------------------------------------


def test_the_service_form_offers_active_teams_by_name_only(team):
    TeamFactory(name="Archive", slug="archive", is_active=False)
    TeamFactory(name="Analytics", slug="analytics")
    form = client_for("staff").get("/services/new/").context["form"]
    assert [t.slug for t in form.fields["team"].queryset] == ["analytics", "payments"]


def test_a_service_cannot_be_put_in_a_deleted_team(team):
    TeamFactory(name="Archive", slug="archive", is_active=False)
    with nothing_changes():
        response = client_for("staff").post("/services/new/", service_data(team="archive"))
    assert "team" in field_errors(response)


def test_a_new_service_starts_in_the_team_it_was_added_from(team):
    form = client_for("lead", team).get("/services/new/?team=payments").context["form"]
    assert form["team"].value() == "payments"


def test_the_edit_form_starts_from_the_service_and_lists_its_teams_people_first(team, service):
    page = client_for("lead", team).get(f"/services/{service.pk}/edit/")
    form = page.context["form"]
    assert (form["team"].value(), form["tier"].value()) == ("payments", "critical")
    assert form.fields["service_owner"].widget.team == "payments"


def test_restore_takes_a_post_only(team, service):
    Service.objects.filter(pk=service.pk).update(is_active=False)
    lead = client_for("lead", team)
    with nothing_changes():
        assert lead.get(f"/services/{service.pk}/restore/").status_code == 405


def test_directory_search_reads_the_team_name_and_the_tech_stack_too(team, service):
    ServiceFactory(name="Search", team=None, tech_stack="Elasticsearch, Kotlin")
    client = client_for("member", team)
    for search, expected in (("payments", ["Payment API"]), ("kotlin", ["Search"])):
        response = client.get("/services/", {"search": search})
        assert [s.name for s, _ in response.context["rows"]] == expected, search


def test_directory_search_reads_part_of_the_services_own_name(team, service):
    ServiceFactory(name="Search", team=None, tech_stack="Elasticsearch, Kotlin")
    response = client_for("member", team).get("/services/", {"search": "api"})
    assert [s.name for s, _ in response.context["rows"]] == ["Payment API"]


def test_directory_offers_each_environment_once(team, service):
    ServiceFactory(name="Search", team=None, environment="staging")
    ServiceFactory(name="Ledger", team=None, environment="production")
    ServiceFactory(name="Script", team=None, environment="")
    form = client_for("member", team).get("/services/").context["form"]
    assert form.fields["environment"].choices == [
        ("", "Any environment"),
        ("production", "production"),
        ("staging", "staging"),
    ]


def test_directory_answers_for_a_deleted_teams_service_as_if_it_had_no_team(team):
    gone = TeamFactory(name="Gone", slug="gone", oncall_engineer="U_ALICE", is_active=False)
    ServiceFactory(name="Ledger", team=gone, service_owner="U_OWNER")
    response = client_for("member", team).get("/services/")
    (answer,) = [answer for s, answer in response.context["rows"] if s.name == "Ledger"]
    assert (answer.target, answer.source) == ("U_OWNER", "service_owner")


def test_a_delete_the_action_refuses_goes_back_to_the_service_saying_why(team, service):
    """Its stored data no longer passes validation (written before the rule): the delete
    is refused, and the service page says why."""
    Service.objects.filter(pk=service.pk).update(repository_url="not a url")
    client = client_for("lead", team)
    response = client.post(f"/services/{service.pk}/delete/")
    assert response["Location"] == f"/services/{service.pk}/"
    assert Service.objects.get(pk=service.pk).is_active
    page = client.get(response["Location"])
    assert messages_of(page) and "URL" in messages_of(page)[0]
