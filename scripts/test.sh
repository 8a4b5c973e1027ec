#!/usr/bin/env bash
# Set up the environment, lint (ruff) and type-check the core and the dashboard (mypy; config for
# both in pyproject.toml) and run the whole test suite: core, AppTest and real-browser tests.
# Browser tests need Debian's Chromium; as root this script installs it when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
  else
    echo "test: /usr/bin/chromium is missing; install it (apt-get install chromium fonts-noto-color-emoji)" >&2
    echo "test: browser tests will be skipped with that reason (they fail when CI=true)" >&2
  fi
fi
echo "test: ruff (lint, config in pyproject.toml)"
.venv/bin/python -m ruff check src dashboard tests benchmarks
echo "test: mypy (type check of src/veu_metrics and dashboard/)"
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
