"""Celery signal receivers (connected by OpsConfig.ready in every process):

- the request id of the request that queued a task travels in the message headers and becomes
  the task's request context, so its audit rows and log lines carry it (a task started by beat
  takes its own task id, which the tasks it queues in turn carry on);
- tasks that end in an exception are counted by name;
- workers and beats run the watchdog in a thread: if beat dies, the workers still watch, and
  if the workers die, the beats do."""

from contextvars import Token

from celery import signals

from audit.context import current, request_context
from oncall_project.ops import watchdog
from oncall_project.telemetry import instruments

HEADER = "oncall_request_id"
_entered: dict[str, Token] = {}  # task id → the context to go back to when it ends


@signals.before_task_publish.connect
def carry_request_id(headers: dict | None = None, **kwargs) -> None:
    request_id = current().get("request_id")
    if headers is not None and request_id:
        headers[HEADER] = request_id


@signals.task_prerun.connect
def enter_request_context(task=None, task_id: str = "", **kwargs) -> None:
    """The id from the message; a task run inline (eager) keeps its caller's."""
    carried = getattr(task.request, HEADER, None) if task is not None else None
    request_id = carried or current().get("request_id") or task_id
    name = task.name if task is not None else ""
    _entered[task_id] = request_context.set({"request_id": request_id, "task": name})


@signals.task_postrun.connect
def leave_request_context(task_id: str = "", **kwargs) -> None:
    token = _entered.pop(task_id, None)
    if token is not None:
        request_context.reset(token)


@signals.task_failure.connect
def count_failure(sender=None, **kwargs) -> None:
    instruments.celery_task_failed(getattr(sender, "name", "unknown"))


@signals.worker_ready.connect
@signals.beat_init.connect
def start_watchdog(**kwargs) -> None:
    watchdog.start_thread()
