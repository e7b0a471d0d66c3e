"""/teams/{team}/members/ and /teams/{team}/members/{slack_user_id}/."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from oncall_project.base.api.errors import ErrorSerializer
from oncall_project.base.api.inputs import ModelInputSerializer
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from teams.actions import (
    MembershipFields,
    membership_remove,
    membership_update,
    membership_upsert,
)
from teams.api.names import PersonNameField
from teams.api.scoping import TeamScopedMixin
from teams.models import TeamMembership
from teams.selectors import membership_list, with_names
from teams.slack_sync import sync_team_from_slack

EDITABLE_FIELDS = [
    "display_name",
    "team_role",
    "is_eligible_for_oncall",
    "is_eligible_for_backup",
    "weight",
    "joined_at",
]
SLACK_USER_PARAMETER = OpenApiParameter(
    "slack_user_id", str, OpenApiParameter.PATH, description="The member's Slack user id (U…)."
)


class MemberSerializer(serializers.ModelSerializer):
    name = PersonNameField(
        id_field="slack_user_id", help_text="The people directory's name for the member."
    )

    class Meta:
        model = TeamMembership
        fields = [
            "id",
            "slack_user_id",
            "name",
            *EDITABLE_FIELDS,
            "in_slack_group",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "in_slack_group": {
                "help_text": "Whether the last Slack sync found this person in the team's user "
                "group; null until a sync has seen the team. Those found gone keep their row "
                "but are left out of the rotation."
            }
        }


class SyncOutcomeSerializer(serializers.Serializer):
    added = serializers.ListField(
        child=serializers.CharField(), help_text="In the Slack group, new to the team."
    )
    returned = serializers.ListField(
        child=serializers.CharField(),
        help_text="Back in the Slack group (or seen by a sync for the first time).",
    )
    gone = serializers.ListField(
        child=serializers.CharField(),
        help_text="No longer in the Slack group: their rows are kept, out of the rotation.",
    )


class MemberInputSerializer(ModelInputSerializer):
    class Meta:
        model = TeamMembership
        fields = ["slack_user_id", *EDITABLE_FIELDS]


class MemberUpdateSerializer(ModelInputSerializer):
    class Meta:
        model = TeamMembership
        fields = EDITABLE_FIELDS


@extend_schema(tags=["members"], parameters=[TEAM_PATH_PARAMETER])
class MemberViewSet(TeamScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """A team's members and their on-call metadata. Changes need staff or a lead of the team."""

    serializer_class = MemberSerializer
    lookup_field = "slack_user_id"
    # A Slack id's characters only: anything else (a NUL byte reaching PostgreSQL) is no member.
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        if self.schema_only():
            return TeamMembership.objects.none()
        return with_names(membership_list(team=self.team), name="slack_user_id")

    @extend_schema(
        request=MemberInputSerializer,
        responses={200: MemberSerializer, 201: MemberSerializer},
        description="Adds the person (201) or updates their row (200).",
    )
    def create(self, request, *args, **kwargs):
        fields = self.parse(MemberInputSerializer)
        membership, added = membership_upsert(
            team=self.team,
            slack_user_id=fields.pop("slack_user_id"),
            actor=self.actor(),
            fields=MembershipFields(**fields),
        )
        return self.respond(membership, status.HTTP_201_CREATED if added else status.HTTP_200_OK)

    @extend_schema(parameters=[SLACK_USER_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[SLACK_USER_PARAMETER],
        request=MemberUpdateSerializer,
        responses=MemberSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        changes = self.parse(MemberUpdateSerializer, partial=True)
        membership = membership_update(
            team=self.team,
            slack_user_id=member.slack_user_id,
            actor=self.actor(),
            fields=MembershipFields(**changes),
        )
        return self.respond(membership)

    @extend_schema(parameters=[SLACK_USER_PARAMETER], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        membership_remove(
            team=self.team, slack_user_id=self.kwargs["slack_user_id"], actor=self.actor()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={
            200: SyncOutcomeSerializer,
            503: OpenApiResponse(
                ErrorSerializer, description="Slack did not answer; try again later."
            ),
        },
        summary="Sync the members from the team's Slack user group",
        description="Newcomers get a row with default metadata and their Slack display name; "
        "people gone from the group keep their row but leave the rotation. Joins and leaves "
        "are audited. 400 when the team has no Slack group or Slack is not configured.",
    )
    @action(detail=False, methods=["post"])
    def sync(self, request, *args, **kwargs):
        outcome = sync_team_from_slack(team=self.team, actor=self.actor())
        return Response(SyncOutcomeSerializer(outcome).data)
