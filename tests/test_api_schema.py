"""The OpenAPI schema: valid, without warnings, every endpoint in it with the error shape."""

import re

import yaml
from django.core.management import call_command
from django.urls import path as url_path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from oncall_project.api.errors import ErrorSerializer
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
