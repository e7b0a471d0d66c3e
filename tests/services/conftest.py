import pytest

from schedules import oncall_now
from services.api import hot


@pytest.fixture
def no_kept_answers():
    """Neither the hot path's rendered answers nor the teams' on-call states from an earlier
    test: what a test sees kept, it kept."""
    hot.clear()
    oncall_now.clear()
    yield
    hot.clear()
