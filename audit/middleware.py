import uuid

from audit.context import request_context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not `request.headers`: that builds a dict of every header on each request
        request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex
        token = request_context.set(
            {"request_id": request_id, "ip": request.META.get("REMOTE_ADDR")}
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response
