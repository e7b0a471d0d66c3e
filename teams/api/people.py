"""/people/ and /people/{slack_user_id}/: the directory of people who can be named on call."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status

from oncall_project.base.api.filters import StrictBooleanFilter
from oncall_project.base.api.inputs import ModelInputSerializer
from oncall_project.base.api.views import ApiViewSet
from teams.actions import PersonFields, person_create, person_update
from teams.models import Person, Team
from teams.selectors import person_get, person_search, team_ref_q

EDITABLE_FIELDS = ["display_name", "real_name", "timezone", "email", "is_active"]
SLACK_USER_PARAMETER = OpenApiParameter(
    "slack_user_id", str, OpenApiParameter.PATH, description="The person's Slack user id (U…)."
)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="What pages call the person.")
    email = serializers.CharField(read_only=True, help_text="An address, or empty when not known.")

    class Meta:
        model = Person
        fields = [
            "slack_user_id",
            "name",
            *EDITABLE_FIELDS,
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "confirmed: Slack, an operator or the API vouched for the person; "
                "unconfirmed: only seen in data written before the directory existed."
            }
        }


class PersonInputSerializer(ModelInputSerializer):
    class Meta:
        model = Person
        fields = ["slack_user_id", *EDITABLE_FIELDS]
        extra_kwargs = {"slack_user_id": {"required": True, "allow_null": False}}


class PersonUpdateSerializer(ModelInputSerializer):
    class Meta:
        model = Person
        fields = EDITABLE_FIELDS


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_nothing", label="Start of the name (or of a word of it) or the Slack id."
    )
    team = django_filters.CharFilter(
        method="filter_nothing", label="A team id or slug: its members come first."
    )
    is_active = StrictBooleanFilter(
        method="filter_nothing", label="Active people (true, the default) or inactive (false)."
    )

    class Meta:
        model = Person
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # the selector applies them all together (see PersonViewSet)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        team = None
        if data.get("team"):
            team = Team.objects.filter(team_ref_q(data["team"])).first()
        active = data.get("is_active")
        return person_search(
            search=data.get("search") or "",
            team=team,
            is_active=True if active is None else active,
        )


@extend_schema(tags=["people"])
class PersonViewSet(mixins.ListModelMixin, ApiViewSet):
    """The people directory. Anyone signed in reads it; staff and team leads add people and
    change anyone's entry; a person changes their own."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    lookup_field = "slack_user_id"
    # A Slack id's characters only: anything else (a NUL byte reaching PostgreSQL) is no one.
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return Person.objects.in_directory()

    def get_object(self) -> Person:
        return person_get(slack_user_id=self.kwargs["slack_user_id"])

    @extend_schema(request=PersonInputSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        fields = self.parse(PersonInputSerializer)
        person = person_create(
            slack_user_id=fields.pop("slack_user_id"),
            actor=self.actor(),
            fields=PersonFields(**fields),
        )
        return self.respond(person, status.HTTP_201_CREATED)

    @extend_schema(parameters=[SLACK_USER_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    @extend_schema(
        parameters=[SLACK_USER_PARAMETER],
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        changes = self.parse(PersonUpdateSerializer, partial=True)
        person = person_update(
            person=self.get_object(), actor=self.actor(), fields=PersonFields(**changes)
        )
        return self.respond(person)
