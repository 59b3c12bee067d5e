#!/usr/bin/env bash
# Run a command with throwaway PostgreSQL and Redis servers, stopped afterwards whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-services.sh start >/dev/null
trap 'scripts/test-services.sh stop' EXIT INT TERM
# shellcheck disable=SC1091
. var/test-services/env
"$@"
