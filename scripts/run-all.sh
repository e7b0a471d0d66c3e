#!/usr/bin/env bash
# Web, Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-true}"
# The three processes count into one folder, so /metrics adds up the worker's counts too
# (prometheus-client's multiprocess mode); last run's counts are cleared.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${ONCALL_VAR_DIR:-$PWD/var}/metrics}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/celery" -A oncall_project worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$BIN/celery" -A oncall_project beat --loglevel=INFO &
pids+=($!)
"$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)

echo
echo "  On-call is running at http://127.0.0.1:$PORT/  (admin: http://127.0.0.1:$PORT/admin/)"
echo "  Log in as admin (or alice, a lead) with the password seed_demo printed above.
  Lost it? .venv/bin/python manage.py seed_demo --reset-admin-password"
echo "  Ctrl-C stops web, worker and beat."
echo
wait -n "${pids[@]}"
