"""Read helpers for the on-call pages, each in a fixed number of queries."""
