"""Lists of the audit log that stay as quick at 10 M entries as at 10: pages read from where
the last ended (a cursor), the count stops at a cap ("more than"), and no query counts the
whole table — API, viewer, a team's History tab and the admin alike."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditLog
from audit.selectors import actions_recorded
from oncall_project.base import counting
from tests.admin_support import admin_url, login_operator
from tests.api_support import assert_error, make_user, session_client
from tests.factories import AuditLogFactory, TeamFactory
from tests.page_support import client_for

API = "/api/v1/audit-logs/"
START = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)


def unbounded_counts(queries) -> list[str]:
    """The COUNTs that read every row they match: each count must stop at a LIMIT."""
    return [
        q["sql"]
        for q in queries
        if re.search(r"\bCOUNT\(", q["sql"], re.IGNORECASE) and "LIMIT" not in q["sql"].upper()
    ]


def log(count: int, *, ties: int = 0, **fields) -> list[AuditLog]:
    """`count` entries a minute apart, newest first; the newest `ties` share one instant."""
    rows = [AuditLogFactory(entity_id=f"e{n:03d}", **fields) for n in range(count)]
    for n, row in enumerate(rows):
        at = START + datetime.timedelta(minutes=min(n, count - ties))
        AuditLog.objects.filter(pk=row.pk).update(created_at=at)
    return rows


def newest_first() -> list[str]:
    return [
        str(pk)
        for pk in AuditLog.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    ]


def walk(client, url: str, key: str) -> tuple[list[str], list[dict]]:
    """Follow `key` links from `url` to the end: the ids in the order read, and each body."""
    ids, bodies = [], []
    while url:
        body = client.get(url).json()
        bodies.append(body)
        ids.extend(row["id"] for row in body["results"])
        url = body[key]
    return ids, bodies


@pytest.mark.parametrize("ties", [0, 3])
def test_api_pages_forward_and_back_through_every_entry_once(db, ties):
    log(7, ties=ties)
    client = session_client(make_user())
    ids, bodies = walk(client, f"{API}?page_size=2", "next")
    assert ids == newest_first()
    assert [len(b["results"]) for b in bodies] == [2, 2, 2, 1]
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None
    back, _ = walk(client, bodies[-1]["previous"], "previous")
    # Back from the last page: each page in its own order, pages newest last.
    assert sorted(back) == sorted(ids[:6]) and back[:2] == ids[4:6]


def test_api_pages_keep_their_filters(db):
    mine = TeamFactory(slug="payments")
    log(5, team=mine)
    log(4, team=TeamFactory())
    client = session_client(make_user())
    ids, bodies = walk(client, f"{API}?team=payments&page_size=2", "next")
    assert len(ids) == 5 and set(ids) == {str(r.pk) for r in AuditLog.objects.filter(team=mine)}
    assert all("team=payments" in b["next"] for b in bodies[:-1])
    assert {b["count"] for b in bodies} == {5}


def test_api_count_stops_at_the_cap_and_says_so(db, monkeypatch):
    monkeypatch.setattr(counting, "COUNT_CAP", 3)
    log(5)
    client = session_client(make_user())
    body = client.get(API).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 5)
    body = client.get(f"{API}?entity_id=e001").json()
    assert (body["count"], body["count_capped"]) == (1, False)


@pytest.mark.parametrize("query", ["", "?team=payments", "?action=updated&from=2026-11-01"])
def test_api_never_counts_the_whole_table(db, query):
    log(3, team=TeamFactory(slug="payments"))
    client = session_client(make_user())
    first = client.get(f"{API}?page_size=1{query.replace('?', '&')}").json()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(first["next"]).status_code == 200
    assert unbounded_counts(queries.captured_queries) == []
    assert any("LIMIT" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "cD1ub3QtYS1kYXRl",  # p=not-a-date
        "cD0yMDI2LTExLTAxIDA5OjAwOjAw",  # p=2026-11-01 09:00:00 (no zone)
        "cD05OTk5LTEyLTMxVDIzOjU5OjU5LTIzOjAw",  # 9999-12-31T23:59:59-23:00
        "cD0wMDAxLTAxLTAxVDAwOjAwOjAwKzIzOjAw",  # 0001-01-01T00:00:00+23:00
    ],
)
def test_api_refuses_a_cursor_it_did_not_give(db, cursor):
    assert_error(session_client(make_user()).get(f"{API}?cursor={cursor}"), 400, "cursor")


def _page_ids(response) -> list[str]:
    return [str(entry.pk) for entry, _label, _link in response.context["entries"]]


@pytest.mark.parametrize("path", ["/audit/", "/teams/payments/history/"])
def test_pages_go_older_and_newer_through_every_entry_once(db, path):
    team = TeamFactory(slug="payments")
    log(120, ties=10, team=team)
    client = client_for("staff")
    first = client.get(path)
    ids, response = _page_ids(first), first
    while response.context["page"].older_url:
        assert response.context["page"].older_url.startswith("?cursor=")  # this page's address
        response = client.get(path + response.context["page"].older_url)
        ids += _page_ids(response)
    assert ids == newest_first()
    assert [len(_page_ids(first)), len(_page_ids(response))] == [50, 20]
    newer = client.get(path + response.context["page"].newer_url)
    assert _page_ids(newer) == ids[50:100]
    assert "120 in all" in first.content.decode() and "Older" in first.content.decode()


def test_pages_say_more_than_the_cap_and_never_count_the_whole_table(db, monkeypatch):
    monkeypatch.setattr(counting, "COUNT_CAP", 60)
    log(70)
    client = client_for("staff")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/audit/", {"action": "updated", "date_from": "2026-11-01"})
    assert "more than 60 in all" in page.content.decode()
    assert unbounded_counts(queries.captured_queries) == []


def test_a_page_link_from_elsewhere_starts_at_the_newest(db):
    log(3)
    response = client_for("staff").get("/audit/", {"cursor": "garbage", "page": "7"})
    assert response.status_code == 200 and _page_ids(response) == newest_first()


def test_who_is_one_actor_a_whole_id_or_a_name_held_once(db):
    from tests.factories import MembershipFactory

    MembershipFactory(slack_user_id="U_ANNA", display_name="Anna Berg")
    MembershipFactory(slack_user_id="U_ANNA2", display_name="Anna Lind")
    for actor in ("U_ANNA", "U_ANNA2", "ops-admin"):
        AuditLogFactory(entity_id=actor, actor_type="user", actor_id=actor)
    client = client_for("staff")

    def who(text):
        response = client.get("/audit/", {"actor": text})
        return sorted(e.entity_id for e, _l, _k in response.context["entries"])

    assert who("anna berg") == ["U_ANNA"]  # the directory holds the name once
    assert who("U_ANNA2") == ["U_ANNA2"]
    assert who("ops-admin") == ["ops-admin"]
    assert who("Anna") == [] and who("admin") == []  # parts are for the picker to search
    page = client.get("/audit/").content.decode()
    assert 'role="combobox"' in page and "people/pick/" in page


def test_actions_are_listed_once_each_in_order(db):
    for action in ("updated", "created", "updated", "override_approved", "created"):
        AuditLogFactory(action=action)
    assert actions_recorded() == ["created", "override_approved", "updated"]


def test_admin_counts_to_the_cap_and_pages_no_deeper(client, db, monkeypatch):
    monkeypatch.setattr(counting, "COUNT_CAP", 150)
    login_operator(client)
    log(160)
    url = admin_url(AuditLog, "changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"action": "updated"})
    assert response.status_code == 200
    assert unbounded_counts(queries.captured_queries) == []
    assert "more than 150 audit logs" in " ".join(response.content.decode().split())
    assert response.context["cl"].paginator.num_pages == 2  # 100 a page, 150 counted
    assert "override_approved" not in response.content.decode()  # only actions the log holds
    second = client.get(url, {"p": "2"})
    assert len(second.context["cl"].result_list) == 50


def test_admin_search_matches_whole_ids_only(client, db):
    login_operator(client)
    AuditLogFactory(entity_id="e1", engineer_slack_id="U_BOB")
    AuditLogFactory(entity_id="e2", previous_engineer_slack_id="U_BOBBY")
    url = admin_url(AuditLog, "changelist")
    found = client.get(url, {"q": " U_BOB "}).context["cl"].result_list
    assert [row.entity_id for row in found] == ["e1"]
    assert list(client.get(url, {"q": "BOB"}).context["cl"].result_list) == []


def test_admin_search_pages_through_every_field_newest_first(client, db, monkeypatch):
    monkeypatch.setattr(counting, "COUNT_CAP", 250)
    login_operator(client)
    fields = ("actor_id", "engineer_slack_id", "previous_engineer_slack_id", "entity_id")
    rows = [AuditLogFactory(**{fields[n % 4]: "U_EVE"}) for n in range(260)]
    AuditLogFactory(engineer_slack_id="U_EVE", actor_id="U_EVE")  # two fields: listed once
    AuditLogFactory(engineer_slack_id="U_SAM")
    for n, row in enumerate(rows):
        AuditLog.objects.filter(pk=row.pk).update(created_at=START + datetime.timedelta(hours=n))
    expected = list(
        AuditLog.objects.exclude(engineer_slack_id="U_SAM").values_list("pk", flat=True)
    )
    url = admin_url(AuditLog, "changelist")
    pages = [client.get(url, {"q": "U_EVE", "p": p}) for p in (1, 2, 3)]
    shown = [row.pk for page in pages for row in page.context["cl"].result_list]
    assert shown == expected[:250]  # newest first, no deeper than the count
    assert "more than 250" in " ".join(pages[0].content.decode().split())
    AuditLog.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(action="deleted")
    narrowed = client.get(url, {"q": "U_EVE", "action": "deleted"}).context["cl"]
    assert narrowed.result_count == 3  # a filter narrows the search (all 260 match otherwise)
    assert {row.pk for row in narrowed.result_list} == {r.pk for r in rows[:3]}


@pytest.mark.parametrize("value", ["", "a&b", None])
def test_the_long_team_select_is_djangos_select_without_its_blank_lines(value):
    from django import forms

    from oncall_project.base.long_select import LongSelect

    choices = [("", "Any team"), ("a&b", "A & B <x>"), ("o'k", "O'K")]
    django_html = forms.Select(choices=choices).render("team", value, {"id": "id_team"})
    ours = LongSelect(choices=choices).render("team", value, {"id": "id_team"})
    assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", django_html)


def _bulk_log(count: int) -> None:
    AuditLog.objects.bulk_create(
        AuditLog(entity_type="team", entity_id=f"e{n}", action="updated", actor_type="system")
        for n in range(count)
    )


def test_counts_are_exact_up_to_10000_then_more_than_10000(db):
    _bulk_log(10_000)
    client = session_client(make_user())
    body = client.get(API).json()
    assert (body["count"], body["count_capped"]) == (10_000, False)
    _bulk_log(1)
    body = client.get(API).json()
    assert (body["count"], body["count_capped"]) == (10_000, True)
    assert "more than 10,000 in all" in client_for("staff").get("/audit/").content.decode()


def test_api_pages_hold_at_most_200_entries(db):
    _bulk_log(201)
    body = session_client(make_user()).get(f"{API}?page_size=500").json()
    assert len(body["results"]) == 200 and body["next"]


def _admin_search(client, term: str):
    response = client.get(admin_url(AuditLog, "changelist"), {"q": term})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("found", "capped"), [(5, False), (6, True)])
def test_admin_search_says_more_than_the_cap_only_past_it(client, db, monkeypatch, found, capped):
    """Six matches in one field alone are more than a cap of five; five are five."""
    monkeypatch.setattr(counting, "COUNT_CAP", 5)
    login_operator(client)
    for _ in range(found):
        AuditLogFactory(actor_id="U_EVE")
    response = _admin_search(client, "U_EVE")
    paginator = response.context["cl"].paginator
    assert (paginator.count, paginator.capped) == (5, capped)
    assert ("more than 5 audit logs" in " ".join(response.content.decode().split())) == capped


def test_admin_search_lists_entries_of_one_instant_newest_id_first(client, db):
    login_operator(client)
    fields = ("actor_id", "engineer_slack_id", "previous_engineer_slack_id", "entity_id")
    rows = [AuditLogFactory(**{fields[n % 4]: "U_EVE"}) for n in range(12)]
    AuditLog.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=START)
    shown = [row.pk for row in _admin_search(client, "U_EVE").context["cl"].result_list]
    assert shown == sorted((r.pk for r in rows), reverse=True)


def test_admin_search_keeps_the_term_in_the_box_on_its_results(client, db):
    login_operator(client)
    AuditLogFactory(entity_id="e1", actor_id="U_EVE")
    response = _admin_search(client, "U_EVE")
    assert [row.entity_id for row in response.context["cl"].result_list] == ["e1"]
    assert 'name="q" value="U_EVE"' in response.content.decode()
