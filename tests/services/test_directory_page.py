"""What each row of the services directory shows: the team, who a page reaches now (a person
or a Slack group), from which source, and whether the service is archived."""

from tests.factories import ServiceFactory, TeamFactory
from tests.page_support import client_for


def rows_html(page: str) -> dict[str, str]:
    """Each row of the directory's table, by the service it names."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [row for row in body.split("<tr>")[1:]]
    return {row.split("<strong>", 1)[1].split("</strong>", 1)[0]: row for row in rows}


def test_a_directory_row_shows_the_team_the_slack_group_and_the_source(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="", slack_group_id="")
    ServiceFactory(name="Ledger", team=team, team_slack_group="S_LEDGER")
    row = rows_html(client_for("staff").get("/services/").content.decode())["Ledger"]
    assert '<a href="/teams/payments/">Payments</a>' in row
    assert "Slack group <code>S_LEDGER</code>" in row
    assert 'data-label="Source"><span class="badge badge-slack_group">' in row


def test_an_archived_service_is_marked_so_in_the_directory(db):
    ServiceFactory(name="Old", team=None, is_active=False)
    ServiceFactory(name="New", team=None)
    rows = rows_html(client_for("staff").get("/services/", {"active": "all"}).content.decode())
    assert 'badge-inactive">archived</span>' in rows["Old"]
    assert "archived" not in rows["New"]
