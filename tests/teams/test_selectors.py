"""The team a person or a bot means by a word (teams.selectors.team_by_word)."""

from teams.selectors import names_for, team_by_word
from tests.factories import MembershipFactory, TeamFactory


def test_a_word_with_spaces_around_it_finds_its_team(db):
    payments = TeamFactory(name="Payments", slug="payments")
    assert team_by_word("  Payments\n") == payments
    assert team_by_word(" payments ") == payments


def test_a_teams_id_wins_over_a_slug_spelt_like_it(db):
    by_id = TeamFactory(name="Payments", slug="payments")
    TeamFactory(name="Impostor", slug=str(by_id.pk))
    assert team_by_word(str(by_id.pk)) == by_id


def test_a_slug_in_another_case_wins_over_a_name(db):
    """One team's slug is another's name: the slug's team, whatever the case."""
    by_slug = TeamFactory(name="Search", slug="billing")
    TeamFactory(name="BILLING", slug="money")
    assert team_by_word("Billing") == by_slug


def test_names_for_a_team_are_as_that_team_calls_its_members(db):
    payments = TeamFactory(name="Payments", slug="payments")
    search = TeamFactory(name="Search", slug="search")
    MembershipFactory(team=search, slack_user_id="U_ALICE", display_name="Al from Search")
    MembershipFactory(team=payments, slack_user_id="U_BOB", display_name="Bobby")
    assert names_for(["U_ALICE", "U_BOB"], "payments") == {
        "U_ALICE": "Alice Nguyen",
        "U_BOB": "Bobby",
    }


def test_a_word_with_a_nul_byte_finds_no_team(db):
    # PostgreSQL refuses a NUL byte in a query: an error there, were it compared.
    TeamFactory(name="Payments", slug="payments")
    assert team_by_word("pay\x00ments") is None
    assert team_by_word("payments\x00", active_only=True) is None
