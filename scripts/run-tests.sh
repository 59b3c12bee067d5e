#!/usr/bin/env bash
# The whole suite against the servers in DATABASE_URL / REDIS_URL: the bulk in parallel, then the
# tests that start real Celery workers one at a time (they share the Redis queues).
set -uo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run through scripts/with-services.sh}" "${REDIS_URL:?run through scripts/with-services.sh}"
mkdir -p var/test-reports
workers=${PYTEST_WORKERS:-2}
.venv/bin/python -m pytest -n "$workers" --dist loadfile -m "not integration" \
  --junitxml=var/test-reports/main.xml "$@"
main=$?
.venv/bin/python -m pytest -m integration --junitxml=var/test-reports/integration.xml "$@"
integration=$?
.venv/bin/python - <<'PY'
import xml.etree.ElementTree as ET
t = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for name in ("main", "integration"):
    try:
        root = ET.parse(f"var/test-reports/{name}.xml").getroot()
    except (OSError, ET.ParseError):
        continue
    for suite in root.iter("testsuite"):
        for key in t:
            t[key] += int(suite.get(key, 0))
failed = t["failures"] + t["errors"]
passed = t["tests"] - failed - t["skipped"]
line = f"{passed} passed, {failed} failed"
if t["skipped"]:
    line += f", {t['skipped']} skipped"
print("Total: " + line)
PY
# pytest exits 5 when a selection holds no test; that is not a failure of the suite.
[ "$main" -eq 0 ] || [ "$main" -eq 5 ] || exit "$main"
[ "$integration" -eq 0 ] || [ "$integration" -eq 5 ] || exit "$integration"
exit 0
