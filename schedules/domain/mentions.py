"""Who to tag for a service, and the Slack mentions for a list of services.

A service's answer is its team's (override, schedule, rotation or team default); else its
`primary_oncall`; else its `service_owner`; else a Slack group — the team's, then the
service's own `team_slack_group` — else nobody.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .answers import Assignment, OnCallAnswer, Source
from .errors import DomainError


class MentionKind(StrEnum):
    USER = "user"
    GROUP = "group"


class ServiceSource(StrEnum):
    """Where a service's answer came from: a team layer, then the service's fallbacks."""

    OVERRIDE = "override"
    SCHEDULE = "schedule"
    ROTATION = "rotation"
    TEAM_DEFAULT = "team_default"
    PRIMARY_ONCALL = "primary_oncall"
    SERVICE_OWNER = "service_owner"
    SLACK_GROUP = "slack_group"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What resolving a service needs; `team_answer` None when the service has no team."""

    name: str
    team_answer: OnCallAnswer | Assignment | None = None
    primary_oncall: str | None = None
    service_owner: str | None = None
    team_slack_group: str | None = None
    service_team_slack_group: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    """Who to tag for `service`: a user or a group (`kind` None: nobody), and why."""

    service: str
    target: str | None
    kind: MentionKind | None
    source: ServiceSource

    @property
    def mention(self) -> str | None:
        return mention_for(self.target, self.kind) if self.target else None


def resolve_service(info: ServiceInfo) -> ServiceAnswer:
    """The first of: the team's on-call, primary on-call, owner, Slack group."""
    team = info.team_answer
    if team is not None and team.engineer and team.source != Source.NONE:
        source = ServiceSource(team.source)
        return ServiceAnswer(info.name, team.engineer, MentionKind.USER, source)
    fallbacks = (
        (info.primary_oncall, MentionKind.USER, ServiceSource.PRIMARY_ONCALL),
        (info.service_owner, MentionKind.USER, ServiceSource.SERVICE_OWNER),
        (info.team_slack_group, MentionKind.GROUP, ServiceSource.SLACK_GROUP),
        (info.service_team_slack_group, MentionKind.GROUP, ServiceSource.SLACK_GROUP),
    )
    for target, kind, source in fallbacks:
        if target:
            return ServiceAnswer(info.name, target, kind, source)
    return ServiceAnswer(info.name, None, None, ServiceSource.NONE)


def mention_for(target: str, kind: MentionKind | str) -> str:
    """Slack mark-up tagging a user (`<@U…>`) or a user group (`<!subteam^S…>`)."""
    if kind == MentionKind.USER:
        return f"<@{target}>"
    if kind == MentionKind.GROUP:
        return f"<!subteam^{target}>"
    raise DomainError(f"Cannot mention a {kind!r}: only a user or a group.")


def build_mentions(answers: Iterable[ServiceAnswer]) -> list[str]:
    """One mention per answer in order, each once; answers with nobody are left out."""
    mentions = (answer.mention for answer in answers)
    return list(dict.fromkeys(m for m in mentions if m))
