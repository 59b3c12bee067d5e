#!/usr/bin/env bash
# Create .venv with the machine's Python 3.11 and install the hash-locked dependencies.
# Fast when nothing changed: the install is skipped unless the lock file is newer.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements/dev.txt}
py=$(command -v python3.11 || command -v python3 || true)
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Flipside needs Python 3.11 (python3.11 on PATH)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$py" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    # Debian ships venv support separately from the interpreter.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-venv >/dev/null
      "$py" -m venv .venv
    else
      echo "Cannot create a virtualenv: install the Debian package python3.11-venv (sudo apt-get install python3.11-venv)." >&2
      exit 1
    fi
  fi
fi
stamp=.venv/.installed-$(basename "$lock" .txt)
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ requirements/bootstrap.txt -nt "$stamp" ]; then
  echo "Installing locked dependencies from $lock ..."
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt
  .venv/bin/uv pip sync -q --python .venv/bin/python --require-hashes "$lock"
  touch "$stamp"
fi
