"""The demo organisation `manage.py seed_demo` builds: six teams across five time zones.

Payments and Auth & Identity are the original plan's two service groups, with its people.
Dates are in days from the Monday of the week a team is first seeded: its schedules, overrides,
time away and ledger history are written once, with the team, never again by a later run.
"""

import datetime

PEOPLE = {
    "U_ALICE": "Alice Nguyen",
    "U_BOB": "Bob Martins",
    "U_CAROL": "Carol Diaz",
    "U_GRACE": "Grace Okafor",
    "U_DAVE": "Dave Schneider",
    "U_EVE": "Eve Laurent",
    "U_FRANK": "Frank Weber",
    "U_HEIDI": "Heidi Braun",
    "U_IVAN": "Ivan Petrov",
    "U_JUDY": "Judy Kim",
    "U_KARL": "Karl Jensen",
    "U_LIAM": "Liam O'Brien",
    "U_MIA": "Mia Rossi",
    "U_ARJUN": "Arjun Mehta",
    "U_PRIYA": "Priya Sharma",
    "U_RAHUL": "Rahul Iyer",
    "U_SANA": "Sana Qureshi",
    "U_OLIVIA": "Olivia Walker",
    "U_NOAH": "Noah Taylor",
    "U_CHLOE": "Chloe Martin",
    "U_JACK": "Jack Wilson",
    "U_MAYA": "Maya Cohen",
    "U_LUCAS": "Lucas Silva",
    "U_ZOE": "Zoe Fischer",
}


def person_timezone(slack_id: str) -> str:
    """Where someone works: the time zone of the first team they are a member of."""
    for team in TEAMS:
        if any(member[0] == slack_id for member in team["members"]):
            return team["timezone"]
    return "UTC"


# Team fields go to team_create as they are; "members" are (slack id, role, weight).
TEAMS = [
    {
        "name": "Payments",
        "slug": "payments",
        "timezone": "America/New_York",
        "description": "Card processing, payouts and invoicing.",
        "slack_group_id": "S_PAYMENTS",
        "slack_channel_id": "C_PAYMENTS_ONCALL",
        "oncall_engineer": "U_ALICE",
        "overrides_require_approval": True,
        "members": [
            ("U_ALICE", "lead", 1.0),
            ("U_BOB", "member", 1.0),
            ("U_CAROL", "member", 1.0),
            ("U_GRACE", "member", 0.5),
        ],
    },
    {
        "name": "Auth & Identity",
        "slug": "auth-identity",
        "timezone": "Europe/Berlin",
        "description": "Login, SSO, sessions and the company directory.",
        "slack_group_id": "S_AUTH",
        "slack_channel_id": "C_AUTH_ONCALL",
        "oncall_engineer": "U_DAVE",
        "members": [
            ("U_DAVE", "lead", 1.0),
            ("U_EVE", "member", 1.0),
            ("U_FRANK", "member", 1.0),
            ("U_HEIDI", "member", 1.0),
        ],
    },
    {
        "name": "Platform",
        "slug": "platform",
        "timezone": "UTC",
        "description": "Kubernetes, CI and the paved road.",
        "slack_group_id": "S_PLATFORM",
        "slack_channel_id": "C_PLATFORM_ONCALL",
        "oncall_engineer": "U_IVAN",
        "oncall_usergroup_id": "S_PLATFORM_ONCALL",
        "rotation": {
            "rotation_type": "weighted",
            "rotation_interval": "weekly",
            "handoff_day": 0,
            "handoff_time": datetime.time(9, 0),
        },
        "members": [
            ("U_IVAN", "lead", 1.0),
            ("U_JUDY", "lead", 1.0),
            ("U_KARL", "member", 2.0),
            ("U_LIAM", "member", 0.5),
            ("U_MIA", "member", 1.0),
        ],
    },
    {
        "name": "Data",
        "slug": "data",
        "timezone": "Asia/Kolkata",
        "description": "Event pipeline, warehouse and dashboards.",
        "slack_group_id": "S_DATA",
        "slack_channel_id": "C_DATA_ONCALL",
        "oncall_engineer": "U_ARJUN",
        "rotation": {
            "rotation_type": "round_robin",
            "rotation_interval": "weekly",
            "handoff_day": 0,
            "handoff_time": datetime.time(10, 0),
        },
        "members": [
            ("U_ARJUN", "lead", 1.0),
            ("U_PRIYA", "member", 1.0),
            ("U_RAHUL", "member", 1.0),
            ("U_SANA", "member", 1.0),
        ],
    },
    {
        "name": "Mobile",
        "slug": "mobile",
        "timezone": "Australia/Sydney",
        "description": "The iOS and Android apps and their backend-for-frontend.",
        "slack_group_id": "S_MOBILE",
        "slack_channel_id": "C_MOBILE_ONCALL",
        "oncall_engineer": "U_OLIVIA",
        "rotation": {
            "rotation_type": "custom_order",
            "rotation_interval": "biweekly",
            "rotation_order": ["U_OLIVIA", "U_NOAH", "U_CHLOE"],
            "handoff_day": 2,
            "handoff_time": datetime.time(10, 0),
        },
        "members": [
            ("U_OLIVIA", "lead", 1.0),
            ("U_NOAH", "member", 1.0),
            ("U_CHLOE", "member", 1.0),
            ("U_JACK", "member", 1.0),
        ],
    },
    {
        "name": "Growth",
        "slug": "growth",
        "timezone": "America/New_York",
        "description": "Experiments, onboarding and lifecycle email.",
        "slack_group_id": "S_GROWTH",
        "slack_channel_id": "C_GROWTH",
        "oncall_engineer": "U_MAYA",
        "members": [("U_MAYA", "lead", 1.0), ("U_LUCAS", "lead", 1.0), ("U_ZOE", "member", 1.0)],
    },
]


def _service(name, team, owner, tier, stack, environment="production", slug=None):
    slug = slug or name.lower().replace(" ", "-")
    return {
        "name": name,
        "team": team,
        "service_owner": owner,
        "tier": tier,
        "tech_stack": stack,
        "environment": environment,
        "repository_url": f"https://github.com/acme/{slug}",
        "metadata": {
            "runbook": f"https://runbooks.acme.dev/{slug}",
            "dashboard": f"https://grafana.acme.dev/d/{slug}",
        },
    }


SERVICES = [
    _service("Payment", "payments", "U_BOB", "critical", "Python, Django, PostgreSQL"),
    _service("Bill", "payments", "U_CAROL", "standard", "Go, PostgreSQL"),
    _service("Payment Sandbox", "payments", "U_GRACE", "low", "Python, Django", "staging"),
    _service("Auth", "auth-identity", "U_EVE", "critical", "Java, Spring Boot, Redis"),
    _service("Company", "auth-identity", "U_FRANK", "standard", "Python, FastAPI"),
    _service("Kubernetes Cluster", "platform", "U_IVAN", "critical", "Kubernetes, Terraform"),
    _service("CI Runners", "platform", "U_KARL", "standard", "GitHub Actions, Go"),
    _service("Developer Portal", "platform", "U_MIA", "low", "TypeScript, Backstage"),
    _service("Event Pipeline", "data", "U_PRIYA", "critical", "Kafka, Flink"),
    _service("Data Warehouse", "data", "U_RAHUL", "standard", "Snowflake, dbt"),
    _service("Analytics Dashboards", "data", "U_SANA", "low", "Metabase", "staging"),
    _service("iOS App", "mobile", "U_NOAH", "critical", "Swift, SwiftUI"),
    _service("Android App", "mobile", "U_CHLOE", "critical", "Kotlin, Jetpack Compose"),
    _service("Mobile BFF", "mobile", "U_JACK", "standard", "Node.js, GraphQL"),
    _service("Experiments", "growth", "U_LUCAS", "standard", "Python, Redis"),
    _service("Email Campaigns", "growth", "U_ZOE", "low", "Ruby on Rails, Sidekiq"),
]

# The on-call ledger starts this many days before the first Monday (rotations start then too):
# the handoff writes it as the beat would have, so the fairness report has weeks to show.
HISTORY_DAYS = 28

# Manual schedules as (team, engineer, first day, last day, days of week or None), in days
# from the first Monday; negative ones are the weeks the ledger history covers.
SCHEDULES = [
    ("payments", "U_BOB", -28, -22, None),
    ("payments", "U_CAROL", -21, -15, None),
    ("payments", "U_ALICE", -14, -8, None),
    ("payments", "U_GRACE", -7, -1, None),
    ("payments", "U_ALICE", 0, 6, None),
    ("payments", "U_BOB", 7, 13, None),
    ("payments", "U_CAROL", 14, 20, None),
    ("payments", "U_ALICE", 21, 27, None),
    ("auth-identity", "U_DAVE", -28, -22, None),
    ("auth-identity", "U_EVE", -21, -15, None),
    ("auth-identity", "U_FRANK", -14, -8, None),
    ("auth-identity", "U_HEIDI", -7, -1, None),
    ("auth-identity", "U_DAVE", 0, 6, None),
    ("auth-identity", "U_EVE", 7, 13, None),
    ("auth-identity", "U_FRANK", 14, 20, None),
    ("auth-identity", "U_HEIDI", 21, 27, None),
    ("growth", "U_MAYA", -28, -1, [0, 1, 2, 3, 4]),
    ("growth", "U_ZOE", -16, -15, None),
    ("growth", "U_LUCAS", -2, -1, None),
    ("growth", "U_LUCAS", 0, 13, [0, 1, 2, 3, 4]),
    ("growth", "U_ZOE", 5, 6, None),
]

# (team, engineer, replaces, first day, last day, reason, decision or None)
OVERRIDES = [
    ("payments", "U_BOB", "U_CAROL", -19, -18, "Carol is ill.", "approved"),
    ("auth-identity", "U_HEIDI", "U_EVE", -17, -17, "Eve's flight home was cancelled.", None),
    ("payments", "U_CAROL", "U_BOB", 9, 10, "Bob is at the PCI audit.", None),
    ("payments", "U_GRACE", "U_ALICE", 2, 3, "Alice is travelling.", "approved"),
    ("auth-identity", "U_FRANK", "U_DAVE", 2, 3, "Swap with Dave for a family event.", None),
]

# (slack id, team or None for every team, first day, last day, reason)
UNAVAILABILITY = [
    ("U_RAHUL", "data", -14, -8, "Vacation"),
    ("U_KARL", "platform", 14, 20, "Vacation"),
    ("U_PRIYA", None, 7, 8, "Conference"),
]

# Django users linked to Slack identities, to try the pages as a lead (alice, dave) and as a
# member (bob).
USERS = [("alice", "U_ALICE"), ("bob", "U_BOB"), ("dave", "U_DAVE")]
