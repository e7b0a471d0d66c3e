"""/teams/{team}/rotation-config/, /teams/{team}/rotation/preview/ and
/teams/{team}/rotation/generate/: the rotation's settings, and its plan with who gains and who
loses which shifts."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from oncall_project.base.api.fields import WallTimeField
from oncall_project.base.api.inputs import InputSerializer, ModelInputSerializer
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import InvalidInput
from schedules.actions import rotation_config_update, rotation_generate, rotation_preview
from schedules.actions.member_preview import MemberChange, member_change_preview
from schedules.actions.rotation import MAX_PERIODS, RotationOutcome
from schedules.api.queries import ROLE_PARAMETER, read_role
from schedules.lines import line_settings
from schedules.models import Role
from teams.actions import RotationSettings
from teams.api.names import PeopleNamesField
from teams.api.scoping import TeamScopedMixin
from teams.models import Team, TeamMembership
from teams.selectors import names_for, team_get

CONFIG_FIELDS = sorted(RotationSettings.names())


HANDOFF_TIME_HELP = (
    "The handoff's wall time in the team's time zone, hh:mm[:ss], without an offset "
    "(default 09:00)."
)


class RotationConfigSerializer(serializers.ModelSerializer):
    """One line's settings: the primary's (the team's) or the backup's (`?role=backup`)."""

    role = serializers.SerializerMethodField(help_text="Which line: primary or backup.")
    rotation_order = serializers.ListField(child=serializers.CharField(), read_only=True)
    rotation_order_names = PeopleNamesField(ids_field="rotation_order")
    handoff_time = WallTimeField(read_only=True, help_text=HANDOFF_TIME_HELP)
    current_rotation_index = serializers.SerializerMethodField(
        help_text="The primary's place in its order at the last handoff; null for the backup."
    )

    class Meta:
        model = Team
        fields = [
            "role",
            *CONFIG_FIELDS,
            "rotation_order_names",
            "current_rotation_index",
            "next_handoff_at",
        ]
        read_only_fields = fields

    def get_role(self, line) -> str:
        return Role.PRIMARY if isinstance(line, Team) else Role.BACKUP

    def get_current_rotation_index(self, line) -> int | None:
        return line.current_rotation_index if isinstance(line, Team) else None


class RotationConfigInputSerializer(ModelInputSerializer):
    """Rotation settings; every one is optional."""

    rotation_order = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        help_text="Slack user ids in turn order, for the custom_order rotation.",
    )
    handoff_time = WallTimeField(required=False, help_text=HANDOFF_TIME_HELP)

    class Meta:
        model = Team
        fields = CONFIG_FIELDS


class ShiftChangeSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Inclusive.")
    before = serializers.CharField(allow_null=True, help_text="On call before; null: nobody.")
    after = serializers.CharField(allow_null=True, help_text="On call after; null: nobody.")


NAME_HELP = "Null where the directory knows no name for the id."


def names_context(outcome: RotationOutcome, team: Team) -> dict[str, dict[str, str]]:
    """The serializers' context: the name of everyone the outcome names, as the team calls
    them (one query)."""
    ids = {entry.engineer for entry in outcome.entries if entry.engineer}
    return {"names": names_for(ids | set(outcome.impact.affected), team.slug)}


class ImpactSerializer(serializers.Serializer):
    affected = serializers.ListField(
        child=serializers.CharField(), help_text="Everyone who gains or loses a day, sorted."
    )
    names = serializers.SerializerMethodField(
        help_text=f"Everyone affected → their name. {NAME_HELP}"
    )
    gains = serializers.DictField(
        child=serializers.ListField(child=ShiftChangeSerializer()),
        help_text="Engineer → the runs of on-call days they gain.",
    )
    losses = serializers.DictField(
        child=serializers.ListField(child=ShiftChangeSerializer()),
        help_text="Engineer → the runs of on-call days they lose.",
    )

    @extend_schema_field(serializers.DictField(child=serializers.CharField(allow_null=True)))
    def get_names(self, impact) -> dict[str, str | None]:
        return {person: self.context["names"].get(person) for person in impact.affected}


class AutoSchedulesSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    deleted = serializers.IntegerField()


class RotationConfigChangeSerializer(RotationConfigSerializer):
    """The settings after the change, who it moves, and the auto schedules it rewrote."""

    impact = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text="People the new plan passes over: not eligible, gone from Slack, or away."
    )
    auto_schedules = serializers.SerializerMethodField()

    class Meta(RotationConfigSerializer.Meta):
        fields = [*RotationConfigSerializer.Meta.fields, "impact", "warnings", "auto_schedules"]
        read_only_fields = fields

    @extend_schema_field(ImpactSerializer)
    def get_impact(self, team: Team) -> dict:
        return ImpactSerializer(self.context["outcome"].impact, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, team: Team) -> list[str]:
        return list(self.context["outcome"].warnings)

    @extend_schema_field(AutoSchedulesSerializer)
    def get_auto_schedules(self, team: Team) -> dict:
        outcome: RotationOutcome = self.context["outcome"]
        return {"created": outcome.created, "deleted": outcome.deleted}


class PeriodsField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=1,
            max_value=MAX_PERIODS,
            help_text=f"How many rotation periods from the current one (1 to {MAX_PERIODS}).",
            **kwargs,
        )


class MemberChangeInputSerializer(ModelInputSerializer):
    """A membership change to try: the member's new on-call metadata, or their removal."""

    remove = serializers.BooleanField(
        default=False, help_text="Try removing the member (no other field with it)."
    )

    class Meta:
        model = TeamMembership
        fields = [
            "slack_user_id",
            "is_eligible_for_oncall",
            "is_eligible_for_backup",
            "weight",
            "joined_at",
            "remove",
        ]
        extra_kwargs = {
            "slack_user_id": {"help_text": "The member, or someone to add (from the directory)."}
        }

    def validate(self, attrs: dict) -> dict:
        if attrs.get("remove") and len(attrs) > 2:
            raise serializers.ValidationError("`remove` goes with `slack_user_id` only.")
        return attrs


class PreviewInputSerializer(InputSerializer):
    periods = PeriodsField()
    changes = RotationConfigInputSerializer(
        required=False, help_text="Rotation settings to try instead of the saved ones."
    )
    member = MemberChangeInputSerializer(
        required=False,
        help_text="A membership change to try instead (added, changed or removed), as saving "
        "it through /members/ would re-plan the line.",
    )

    def validate(self, attrs: dict) -> dict:
        if "changes" in attrs and "member" in attrs:
            raise serializers.ValidationError("Try either `changes` or `member`, not both.")
        return attrs


class GenerateInputSerializer(InputSerializer):
    periods = PeriodsField()


class EntrySerializer(serializers.Serializer):
    period = serializers.IntegerField(source="index", help_text="0 = the anchor's period.")
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Inclusive.")
    engineer_slack_id = serializers.CharField(
        source="engineer",
        allow_null=True,
        help_text="Null when every candidate is away, or nobody can rotate.",
    )
    engineer_name = serializers.SerializerMethodField(help_text=f"Their name. {NAME_HELP}")

    def get_engineer_name(self, entry) -> str | None:
        return self.context["names"].get(entry.engineer) if entry.engineer else None


class PlanSerializer(serializers.Serializer):
    entries = EntrySerializer(many=True)
    impact = ImpactSerializer()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="People the rotation's order names whom it passes over in these periods: "
        "not eligible, gone from the team's Slack group, or away.",
    )


class GeneratedSerializer(PlanSerializer):
    created = serializers.IntegerField(help_text="Auto schedules saved (0: already there).")
    deleted = serializers.IntegerField(
        help_text="Future auto schedules the fresh plan replaced (0: it kept them all)."
    )


@extend_schema(tags=["rotation"], parameters=[TEAM_PATH_PARAMETER])
class RotationConfigViewSet(TeamScopedMixin, ApiViewSet):
    """The team's rotation settings. Changing them needs staff or a lead of the team and
    regenerates the future automatic schedules (manual ones and overrides are kept)."""

    serializer_class = RotationConfigSerializer

    @extend_schema(parameters=[ROLE_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        return self.respond(line_settings(self.team, read_role(request)))

    @extend_schema(
        parameters=[ROLE_PARAMETER],
        request=RotationConfigInputSerializer,
        responses=RotationConfigChangeSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        role = read_role(request)
        changes = self.parse(RotationConfigInputSerializer, partial=True)
        outcome = rotation_config_update(
            team=self.team, actor=self.actor(), settings=RotationSettings(**changes), role=role
        )
        team = team_get(ref=str(self.team.pk))
        context = {**self.get_serializer_context(), **names_context(outcome, self.team)}
        context["outcome"] = outcome
        line = line_settings(team, role)
        return Response(RotationConfigChangeSerializer(line, context=context).data)


@extend_schema(tags=["rotation"], parameters=[TEAM_PATH_PARAMETER])
class RotationPlanViewSet(TeamScopedMixin, ApiViewSet):
    """Who the rotation gives the next periods to, and who gains or loses shifts by it."""

    serializer_class = PlanSerializer

    @extend_schema(
        parameters=[ROLE_PARAMETER],
        request=PreviewInputSerializer,
        responses=PlanSerializer,
        summary="Preview the rotation; nothing is saved",
        description="Without `changes`: what generate would save. With them: what changing the "
        "settings would plan, and whose shifts it would move. With `member`: what adding, "
        "changing or removing that member would plan and move (the primary's preview adds "
        "what it would leave the backup line). Any signed-in user may preview.",
    )
    def preview(self, request, *args, **kwargs):
        role = read_role(request)
        fields = self.parse(PreviewInputSerializer)
        if "member" in fields:
            return self._member_preview(fields["periods"], fields["member"], role)
        try:
            changes = fields.get("changes")
            outcome = rotation_preview(
                team=self.team,
                periods=fields["periods"],
                settings=RotationSettings(**changes) if changes else None,
                role=role,
            )
        except InvalidInput as exc:
            # The settings tried are under `changes` in the body: name them so.
            errors = {
                f"changes.{name}" if name in CONFIG_FIELDS else name: messages
                for name, messages in exc.errors.items()
            }
            raise InvalidInput(exc.message, errors) from exc
        return Response(PlanSerializer(outcome, context=names_context(outcome, self.team)).data)

    def _member_preview(self, periods: int, member: dict, role: str) -> Response:
        uid, remove = member.pop("slack_user_id"), member.pop("remove")
        try:
            outcome = member_change_preview(
                team=self.team,
                periods=periods,
                change=MemberChange(uid, member, remove=remove),
                role=role,
            )
        except InvalidInput as exc:
            # The member tried is under `member` in the body: name its fields so.
            errors = {f"member.{name}": messages for name, messages in exc.errors.items()}
            raise InvalidInput(exc.message, errors) from exc
        return Response(PlanSerializer(outcome, context=names_context(outcome, self.team)).data)

    @extend_schema(
        parameters=[ROLE_PARAMETER],
        request=GenerateInputSerializer,
        responses={201: GeneratedSerializer, 200: GeneratedSerializer},
        summary="Save the rotation's automatic schedules",
        description="Plans the periods after the current one again, as a change of the "
        "settings does, and saves their auto schedules (201; 200 when every one was already "
        "there): future auto schedules the fresh plan does not keep are replaced, and the "
        "people whose shifts move are told. The plan reaches at least as far as the auto "
        "schedules already saved. Manual schedules and overrides are never touched nor "
        "double-booked. Needs staff or a lead of the team.",
    )
    def generate(self, request, *args, **kwargs):
        role = read_role(request)
        periods = self.parse(GenerateInputSerializer)["periods"]
        outcome = rotation_generate(team=self.team, actor=self.actor(), periods=periods, role=role)
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        context = names_context(outcome, self.team)
        return Response(GeneratedSerializer(outcome, context=context).data, status=code)
