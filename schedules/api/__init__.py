"""Schedules and overrides over the REST API."""
