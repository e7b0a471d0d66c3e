"""Running it in production (the wiring layer: it reads every app's tables): the probes, the
/metrics collectors and view, the watchdog, JSON logs, the request id carried into Celery tasks,
and the beat scheduler that lets one beat of several dispatch."""
