"""Whom to tag for services asked by name (`resolve_services`): the bot's lookups, escalations
and the Slack `/oncall` reply all ask through it."""

from django.utils import timezone

from services.selectors.answers import resolve_services
from tests.factories import ServiceFactory


def test_a_name_asked_with_spaces_around_it_or_in_another_case_finds_the_service(db):
    ServiceFactory(name="Payment", team=None, service_owner="U_OWNER")
    asked = [" payment ", "PAYMENT", "Pay", "  "]
    results = resolve_services(asked, timezone.now())
    assert [(r.asked, r.service and r.service.name) for r in results] == [
        (" payment ", "Payment"),
        ("PAYMENT", "Payment"),
        ("Pay", None),
        ("  ", None),
    ]
    assert results[0].answer.target == "U_OWNER" and results[2].answer is None
    # asked alone: the name is loaded as the service is named, without the spaces
    (alone,) = resolve_services([" payment "], timezone.now())
    assert alone.known and alone.answer.target == "U_OWNER"


def test_a_name_asked_with_spaces_around_it_and_in_another_case_finds_the_service(db):
    ServiceFactory(name="Payment", team=None, service_owner="U_OWNER")
    (result,) = resolve_services([" PAYMENT "], timezone.now())
    assert (result.asked, result.service and result.service.name) == (" PAYMENT ", "Payment")
    assert result.answer.target == "U_OWNER"


def test_no_name_worth_asking_reads_nothing_and_answers_each_as_unknown(
    db, django_assert_num_queries
):
    """An escalation may name no service, or only blanks: no statement with an empty IN."""
    with django_assert_num_queries(0):
        assert resolve_services([], timezone.now()) == []
        results = resolve_services(["", " "], timezone.now())
    assert [(r.asked, r.known) for r in results] == [("", False), (" ", False)]
