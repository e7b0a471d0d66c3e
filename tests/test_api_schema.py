"""The OpenAPI schema: valid, without warnings, every endpoint in it with the error shape."""

import re

import yaml
from django.core.management import call_command
from django.urls import path as url_path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from oncall_project.base.api.errors import ErrorSerializer
from tests.api_support import api_paths, make_user, session_client


def test_the_schema_generates_valid_and_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "403"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/Error"}, (path, method, code)


class _ProbeView(APIView):
    @extend_schema(parameters=[OpenApiParameter("at", str)], responses=ErrorSerializer)
    def get(self, request):
        return Response({})


def test_a_read_with_query_parameters_documents_a_400_by_itself():
    generator = SchemaGenerator(patterns=[url_path("api/v1/probe/", _ProbeView.as_view())])
    responses = generator.get_schema(public=True)["paths"]["/api/v1/probe/"]["get"]["responses"]
    assert sorted(responses) == ["200", "400", "401", "403", "429"]


def test_every_v1_endpoint_is_in_the_schema(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    documented = [
        re.sub(r"\{[^}]+\}", "[^/]+", path).lstrip("/")
        for path in yaml.safe_load(target.read_text())["paths"]
    ]
    for path in api_paths():
        if path.startswith("/api/v1/"):
            assert any(re.fullmatch(doc, path.lstrip("/")) for doc in documented), path


def test_the_schema_and_docs_are_served_to_signed_in_users(db):
    client = session_client(make_user())
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


BOT_LOOKUPS = [
    ("/api/v1/oncall/", "get"),
    ("/api/v1/oncall/mentions/", "get"),
    ("/api/v1/services/lookup/", "get"),
    ("/api/v1/teams/{team}/oncall/", "get"),
    ("/api/v1/users/{slack_id}/schedules/", "get"),
]


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _mismatches(value, schema: dict, spec: dict, where: str) -> list[str]:
    """Where an example leaves the shape its schema documents (properties, required, arrays)."""
    schema = _resolve(schema, spec)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null"]
    if schema.get("type") == "array":
        return [
            m
            for n, item in enumerate(value)
            for m in _mismatches(item, schema["items"], spec, where + f"[{n}]")
        ]
    if schema.get("type") != "object" or "properties" not in schema:
        return []
    found = [f"{where}.{key}: not documented" for key in value if key not in schema["properties"]]
    found += [f"{where}.{key}: missing" for key in schema.get("required", []) if key not in value]
    for key, item in value.items():
        if key in schema["properties"]:
            found += _mismatches(item, schema["properties"][key], spec, f"{where}.{key}")
    return found


def test_every_bot_lookup_has_an_example_of_the_shape_it_documents(db):
    spec = SchemaGenerator().get_schema(request=None, public=True)
    for path, method in BOT_LOOKUPS:
        content = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        examples = content.get("examples", {})
        assert examples, path
        for name, example in examples.items():
            assert _mismatches(example["value"], content["schema"], spec, name) == [], path


def test_every_response_example_has_the_shape_its_schema_documents(db):
    """Not the bot's lookups only: an example written by hand drifts when a field is added."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    checked = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    where = f"{method} {path} {code} {name}"
                    assert _mismatches(example["value"], content["schema"], spec, where) == []
                    checked += 1
    assert checked > len(BOT_LOOKUPS)
