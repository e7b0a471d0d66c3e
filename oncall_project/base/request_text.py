"""Query strings and form bodies whose text is not valid UTF-8, or holds a NUL character, are
refused with a 400 naming the parameter before any view reads them. Left alone, Django decodes
such bytes with replacement characters and hands them on as if they had been typed (a form then
saves them), and PostgreSQL refuses a NUL in a query (a 500 wherever a filter passes one on).
JSON bodies are the API parser's to check (oncall_project.base.api.inputs)."""

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from oncall_project.base.api.errors import error_body
from oncall_project.base.text import NOT_UTF8, WITH_NUL

FORM = "application/x-www-form-urlencoded"


class RequestTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _pairs_problem(_query_bytes(request))
        if found is None and request.content_type == FORM:
            found = _pairs_problem(request.body)
        if found is not None:
            return _refused(request, *found)
        return self.get_response(request)


def _query_bytes(request: HttpRequest) -> bytes:
    raw = request.META.get("QUERY_STRING", "")
    try:
        return raw.encode("iso-8859-1")  # WSGI hands the bytes sent as Latin-1 text
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogateescape")


def _pairs_problem(raw: bytes) -> tuple[str, str] | None:
    """The first `name=value` pair whose name or value is no storable text, and why."""
    for pair in raw.split(b"&"):
        name, _, value = (
            unquote_to_bytes(part.replace(b"+", b" ")) for part in pair.partition(b"=")
        )
        for part in (name, value):
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError:
                return _label(name), NOT_UTF8
            if "\x00" in text:
                return _label(name), WITH_NUL
    return None


def _label(name: bytes) -> str:
    return name.decode("utf-8", "replace").replace("\x00", "\\0") or "(no name)"


def _refused(request: HttpRequest, name: str, problem: str) -> HttpResponse:
    message = f"{name}: {problem}"
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, {name: [problem]}), status=400)
    return render(request, "400.html", {"message": message}, status=400)
