"""The domain event log. `audit.record(...)` is the one way to write it."""


def record(**kwargs):
    from audit.log import record as _record

    return _record(**kwargs)
