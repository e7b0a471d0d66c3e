"""Active services by name, read in one prepared statement (`services.selectors.named`)."""

import uuid

from services.selectors.named import SERVICE_PK, active_service_rows
from tests.factories import ServiceFactory


def test_rows_come_in_the_order_of_the_services_ids_whatever_their_names(db):
    """The hot path keys the answers it keeps by these rows: the same services must read as
    the same rows, in whatever order the database found them."""
    last, first = uuid.UUID(int=2**128 - 1), uuid.UUID(int=1)
    ServiceFactory(id=last, name="Alpha", team=None)
    ServiceFactory(id=first, name="Beta", team=None)
    rows = active_service_rows({"alpha", "beta"})
    # a UUID on PostgreSQL, its hex digits on SQLite
    assert [uuid.UUID(str(row[SERVICE_PK])) for row in rows] == [first, last]
