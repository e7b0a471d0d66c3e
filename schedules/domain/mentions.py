"""Who to tag for a service or a team, the fallback chain that explains it, and how a Slack
mention is written — the one place for each (DESIGN: resolution rules).

A service's answer is its team's (override, schedule, rotation or team default); else its
`primary_oncall`; else its `service_owner`; else a Slack group — the team's, then the
service's own `team_slack_group` — else nobody. A team's answer stops at its layers (a gap is
nobody); its Slack group follows in the chain as whom to try next, but never answers.

The chain holds every rung asked, in order, each with whom it names and whether it answered:
the first rung naming someone answers. Of the team's layers only the one that answered names
its engineer (the others had nobody, or were not looked at); the team default names the
team's default engineer either way.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .answers import Assignment, OnCallAnswer
from .errors import DomainError


class MentionKind(StrEnum):
    USER = "user"
    GROUP = "group"


def mention_for(target: str, kind: MentionKind | str) -> str:
    """Slack mark-up tagging a user (`<@U…>`) or a user group (`<!subteam^S…>`)."""
    if kind == MentionKind.USER:
        return f"<@{target}>"
    if kind == MentionKind.GROUP:
        return f"<!subteam^{target}>"
    raise DomainError(f"Cannot mention a {kind!r}: only a user or a group.")


@dataclass(frozen=True, slots=True)
class Tag:
    """Someone to tag: a Slack user (`U…`/`W…`) or a user group (`S…`). Equal tags are one
    mention, whichever service or rung named them."""

    slack_id: str
    kind: MentionKind

    @property
    def mention(self) -> str:
        return mention_for(self.slack_id, self.kind)


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


class Rung(StrEnum):
    """One rung of the fallback chain, highest first: the team's layers, then the service's."""

    OVERRIDE = "override"
    SCHEDULE = "schedule"
    ROTATION = "rotation"
    TEAM_DEFAULT = "team_default"
    PRIMARY_ONCALL = "primary_oncall"
    SERVICE_OWNER = "service_owner"
    TEAM_SLACK_GROUP = "team_slack_group"
    SERVICE_SLACK_GROUP = "service_slack_group"


TEAM_RUNGS = (Rung.OVERRIDE, Rung.SCHEDULE, Rung.ROTATION, Rung.TEAM_DEFAULT)
GROUP_RUNGS = frozenset({Rung.TEAM_SLACK_GROUP, Rung.SERVICE_SLACK_GROUP})


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of the chain: whom it names (None: nobody there, or not looked at) and whether
    it gave the answer."""

    rung: Rung
    target: str | None
    answered: bool = False

    @property
    def source(self) -> ServiceSource:
        return ServiceSource.SLACK_GROUP if self.rung in GROUP_RUNGS else ServiceSource(self.rung)

    @property
    def kind(self) -> MentionKind:
        return MentionKind.GROUP if self.rung in GROUP_RUNGS else MentionKind.USER

    @property
    def mention(self) -> str | None:
        return mention_for(self.target, self.kind) if self.target else None


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What resolving a service needs; `team_answer` None when the service has no (active)
    team, or when its team's on-call cannot be worked out (`team_error` says why: its default
    engineer is then the team's one rung), `team_default` the team's default engineer."""

    name: str
    team_answer: OnCallAnswer | Assignment | None = None
    primary_oncall: str | None = None
    service_owner: str | None = None
    team_slack_group: str | None = None
    service_team_slack_group: str | None = None
    team_default: str | None = None
    team_error: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    """Who to tag for `service` (None: a team was asked): a user or a group (`kind` None:
    nobody), why, and the chain it was chosen from; `team_error` why the team's on-call could
    not be worked out, when it could not."""

    service: str | None
    target: str | None
    kind: MentionKind | None
    source: ServiceSource
    chain: tuple[Step, ...] = ()
    team_answer: OnCallAnswer | Assignment | None = None
    team_error: str | None = None

    @property
    def mention(self) -> str | None:
        return mention_for(self.target, self.kind) if self.target and self.kind else None

    @property
    def tag(self) -> Tag | None:
        return Tag(self.target, self.kind) if self.target and self.kind else None

    @property
    def links(self) -> tuple[Step, ...]:
        """Whom to tag, in order, each once: the chain's steps that name someone."""
        seen: set[str] = set()
        kept = []
        for step in self.chain:
            if step.target and step.target not in seen:
                seen.add(step.target)
                kept.append(step)
        return tuple(kept)

    def named(self, rung: Rung) -> str | None:
        """Whom `rung` names in the chain, if it was asked and names anyone."""
        return next((step.target for step in self.chain if step.rung == rung), None)


def _team_rungs(
    answer: OnCallAnswer | Assignment | None, default: str | None
) -> list[tuple[Rung, str | None]]:
    if answer is None:
        return []
    named = {Rung(answer.source): answer.engineer} if answer.engineer else {}
    named.setdefault(Rung.TEAM_DEFAULT, default)
    return [(rung, named.get(rung)) for rung in TEAM_RUNGS]


def _chain(rungs: list[tuple[Rung, str | None]]) -> tuple[Step, ...]:
    """The steps of `rungs` in order; the first naming someone answers."""
    steps, found = [], False
    for rung, target in rungs:
        answers = bool(target) and not found
        found = found or answers
        steps.append(Step(rung, target or None, answers))
    return tuple(steps)


def _answer(
    subject: str | None,
    chain: tuple[Step, ...],
    team_answer: OnCallAnswer | Assignment | None,
    team_error: str | None = None,
) -> ServiceAnswer:
    step = next((s for s in chain if s.answered), None)
    if step is None:
        return ServiceAnswer(
            subject, None, None, ServiceSource.NONE, chain, team_answer, team_error
        )
    return ServiceAnswer(
        subject, step.target, step.kind, step.source, chain, team_answer, team_error
    )


def resolve_service(info: ServiceInfo) -> ServiceAnswer:
    """The first of: the team's on-call, primary on-call, owner, the Slack groups. A team whose
    on-call cannot be worked out (`team_error`) still has its default engineer: a page must
    reach someone."""
    if info.team_error:
        team = [(Rung.TEAM_DEFAULT, info.team_default)]
    else:
        team = _team_rungs(info.team_answer, info.team_default)
    rungs = [
        *team,
        (Rung.PRIMARY_ONCALL, info.primary_oncall),
        (Rung.SERVICE_OWNER, info.service_owner),
        (Rung.TEAM_SLACK_GROUP, info.team_slack_group),
        (Rung.SERVICE_SLACK_GROUP, info.service_team_slack_group),
    ]
    return _answer(info.name, _chain(rungs), info.team_answer, info.team_error)


def resolve_team(
    answer: OnCallAnswer | Assignment, *, default: str | None, slack_group: str | None
) -> ServiceAnswer:
    """The team's on-call (nobody in a gap); its Slack group follows in the chain."""
    chain = (
        *_chain(_team_rungs(answer, default)),
        Step(Rung.TEAM_SLACK_GROUP, slack_group or None),
    )
    return _answer(None, chain, answer)


def build_mentions(answers: Iterable[ServiceAnswer]) -> list[str]:
    """One mention per answer in order, each once; answers with nobody are left out."""
    mentions = (answer.mention for answer in answers)
    return list(dict.fromkeys(m for m in mentions if m))
