#!/usr/bin/env bash
# Prepare a benchmark database: migrate, load territories, generate N demo courses (seed 1, fixed date).
# Usage: DATABASE_URL=... bench/prepare.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_territories | tail -1
.venv/bin/python manage.py generate_demo --courses "${1:-10000}" --seed 1 --date 2026-11-27 | tail -1
