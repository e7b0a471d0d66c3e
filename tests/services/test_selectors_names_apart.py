"""Whom to tag for services asked by name: names the database tells apart stay apart."""

from django.utils import timezone

from services.selectors.answers import mentions, resolve_services
from tests.factories import ServiceFactory


def test_two_names_the_database_tells_apart_each_answer_for_their_own_service(db):
    """Python lowers "İ" to "i" and a combining dot; the database lowers it to "i" (or not at
    all): "İzmir" and "i̇zmir" are two services, and each asked name finds its own."""
    ServiceFactory(name="\u0130zmir", team=None, service_owner="U_DOTTED")
    ServiceFactory(name="i\u0307zmir", team=None, service_owner="U_COMBINING")
    asked = ["\u0130zmir", "i\u0307zmir"]
    results = resolve_services(asked, timezone.now())
    assert [r.service and r.service.name for r in results] == asked
    assert mentions(results) == ["<@U_DOTTED>", "<@U_COMBINING>"]
