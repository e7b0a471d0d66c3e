#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; install it when missing (root on CI machines).
# Without it the browser tests skip: with --required (CI) that is an error instead of a warning.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: install Debian's 'chromium' package for the browser tests." >&2
  if [ "${1:-}" = "--required" ]; then exit 1; fi
fi
