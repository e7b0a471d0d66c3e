"""Examples of the bot's on-call answers, as the OpenAPI document shows them."""

from drf_spectacular.utils import OpenApiExample

from oncall_project.base.api.schema import EXAMPLE_TEAM

ONCALL_EXAMPLE = OpenApiExample(
    "A service answered by its team rotation",
    value={
        "service": "Payment",
        "team": EXAMPLE_TEAM,
        "engineer_slack_id": "U_ALICE",
        "engineer_name": "Alice Nguyen",
        "target": "U_ALICE",
        "kind": "user",
        "mention": "<@U_ALICE>",
        "source": "rotation",
        "on_call_date": "2026-12-08",
        "from": "2026-12-07T09:00:00Z",
        "until": "2026-12-14T09:00:00Z",
        "from_date": "2026-12-07",
        "until_date": "2026-12-13",
        "fallback_chain": [
            {"source": "rotation", "target": "U_ALICE", "kind": "user", "mention": "<@U_ALICE>"},
            {"source": "service_owner", "target": "U_BOB", "kind": "user", "mention": "<@U_BOB>"},
        ],
    },
)
MENTIONS_EXAMPLE = OpenApiExample(
    "Payment and Bill share the Payments on-call",
    value={
        "mentions": ["<@U_ALICE>"],
        "services": [
            {
                "service": "Payment",
                "team": EXAMPLE_TEAM,
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
            {
                "service": "Bill",
                "team": EXAMPLE_TEAM,
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
        ],
        "unknown": ["Ledger"],
    },
)
