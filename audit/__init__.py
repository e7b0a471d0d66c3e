"""The domain event log. `audit.log.record(...)` is the one way to write it, a change's
entries and the legacy import's alike; the app imports no other app (a leaf above the base)."""
