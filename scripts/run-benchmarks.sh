#!/usr/bin/env bash
# Every benchmark in benchmarks/, each printing one JSON line last.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
status=0
for bench in benchmarks/*.py; do
  echo "== $bench" >&2
  .venv/bin/python "$bench" || status=1
done
exit $status
