"""`member_change_preview` called directly, as the pages call it: it checks what the API's
serializer would have checked for it."""

import pytest

from oncall_project.base.errors import InvalidInput
from schedules.actions.member_preview import MemberChange, member_change_preview
from tests.schedules.test_api_backup import payments_of_four


@pytest.mark.parametrize("periods", [0, 105, True])
def test_a_member_preview_of_periods_out_of_range_is_refused(db, periods):
    with pytest.raises(InvalidInput) as refused:
        member_change_preview(
            team=payments_of_four(), periods=periods, change=MemberChange("U_BOB", {"weight": 2.0})
        )
    assert "periods" in refused.value.errors
