import pytest

from audit.actors import Actor


@pytest.fixture
def staff_actor() -> Actor:
    return Actor(id="ops-admin", source="test", is_staff=True)


@pytest.fixture
def member_actor() -> Actor:
    return Actor(id="U_MEMBER", source="test", slack_user_id="U_MEMBER")
