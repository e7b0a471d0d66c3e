"""The service page: who is on call now, until when, who is next, how the chain decided it,
and what a delete or a restore says."""

import pytest

from services.models import Service
from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory
from tests.page_support import client_for, days, messages_of


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Nguyen")
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob Martins")
    return team


@pytest.fixture
def service(team):
    return ServiceFactory(name="Payment API", team=team)


def page_of(service, role="member", team=None) -> str:
    return client_for(role, team).get(f"/services/{service.pk}/").content.decode()


def test_the_service_page_says_until_further_notice_on_the_teams_default(team, service):
    page = page_of(service, team=team)
    assert "until further notice" in page


def test_the_service_page_names_who_is_next_after_the_run(team, service):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(3))
    page = page_of(service, team=team)
    assert "until further notice" not in page
    assert 'Next: <span class="person">Alice Nguyen' in page


def test_the_service_page_says_which_rung_answered_and_which_had_nobody(team, service):
    page = page_of(service, team=team)
    assert page.count("— this answered") == 1
    assert "An approved override covering that day — nothing there" in page
    assert "Alice Nguyen" in page.split("— this answered")[0].rsplit("<li", 1)[1]


def test_deleting_and_restoring_a_service_say_so(team, service):
    client = client_for("lead", team)
    deleted = client.post(f"/services/{service.pk}/delete/", follow=True)
    assert messages_of(deleted) == ["Service Payment API deleted."]
    restored = client.post(f"/services/{service.pk}/restore/", follow=True)
    assert messages_of(restored) == ["Service Payment API restored."]
    assert Service.objects.get(pk=service.pk).is_active


def test_the_service_page_of_a_service_its_slack_group_answers_for_says_slack_group(team):
    ledger = ServiceFactory(name="Ledger", team=None, team_slack_group="S_LEDGER")
    assert '<p class="who">Slack group <code>S_LEDGER</code></p>' in page_of(ledger, "staff")


def test_an_archived_service_page_says_so_and_offers_restore_not_delete(team, service):
    Service.objects.filter(pk=service.pk).update(is_active=False)
    page = page_of(service, "lead", team)
    assert 'badge-inactive">archived</span>' in page
    assert f'action="/services/{service.pk}/restore/"' in page
    assert f'href="/services/{service.pk}/delete/"' not in page


def test_the_service_page_lists_its_primary_on_call_and_links_its_metadata(team):
    service = ServiceFactory(
        name="Ledger",
        team=team,
        primary_oncall="U_BOB",
        metadata={"runbook": "https://runbooks.example/ledger", "notes": "page twice"},
    )
    page = page_of(service, team=team)
    assert '<dt>Primary on-call</dt><dd><span class="person">Bob Martins' in page
    link = '<a href="https://runbooks.example/ledger">https://runbooks.example/ledger</a>'
    assert f"<dt>Runbook</dt><dd>{link}</dd>" in page
    assert "<dt>Notes</dt><dd>page twice</dd>" in page


def test_the_service_page_links_to_the_lookup_of_the_same_service(team, service):
    assert 'href="/who/?q=Payment%20API"' in page_of(service, team=team)
