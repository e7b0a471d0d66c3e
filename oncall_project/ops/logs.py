"""LOG_FORMAT=json: one JSON object per line, with the request id of the request (or of the
request that started the Celery task) that the line belongs to."""

import logging

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from audit import context

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestContextFilter(logging.Filter):
    """Stamp each record with the current request id and task (audit's request context, set
    by audit.middleware in a request and by celery_hooks in a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        for name in ("request_id", "task"):
            if current.get(name) and not getattr(record, name, ""):
                setattr(record, name, current[name])
        return True


class JsonFormatter(BaseJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        super().__init__(FIELDS, *args, **kwargs)
