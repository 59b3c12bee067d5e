#!/usr/bin/env bash
# Run a command with throwaway PostgreSQL and Redis servers, stopped afterwards whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_SERVICES_STATE=var/test-services-run-$$
scripts/test-services.sh start >/dev/null
trap 'scripts/test-services.sh stop; rmdir "$TEST_SERVICES_STATE" 2>/dev/null || true' EXIT INT TERM
# shellcheck disable=SC1091
. "$TEST_SERVICES_STATE/env"
"$@"
