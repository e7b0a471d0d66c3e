"""Request bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE are refused with 413 before a byte of
them is read: in the API's error shape under /api/, as a plain page elsewhere. Left alone, DRF's
JSON parser reads a body of any size, and Django answers 400 with a page of its own, and only
where a view reads the form."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from oncall_project.base.api.errors import error_body


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body it cannot size


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    size = filesizeformat(limit).replace("\xa0", " ")
    message = f"The request body is larger than the {size} this server accepts."
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message), status=413)
    return render(request, "413.html", {"message": message}, status=413)
