"""Examples of the bot's on-call answers, as the OpenAPI document shows them."""

from drf_spectacular.utils import OpenApiExample

ONCALL_EXAMPLE = OpenApiExample(
    "A service answered by its team rotation",
    value={
        "service": "Payment",
        "team": {
            "id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11",
            "name": "Payments",
            "slug": "payments",
        },
        "engineer_slack_id": "U_ALICE",
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
                "team": {
                    "id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11",
                    "name": "Payments",
                    "slug": "payments",
                },
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
            {
                "service": "Bill",
                "team": {
                    "id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11",
                    "name": "Payments",
                    "slug": "payments",
                },
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
        ],
        "unknown": ["Ledger"],
    },
)
