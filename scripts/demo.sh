#!/usr/bin/env bash
# One command for a fresh machine: install, migrate, seed the demo, serve http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p instance
if [[ ! -f instance/lms.cfg ]]; then
  echo "SECRET_KEY = '$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')'" > instance/lms.cfg
  echo "==> wrote a random SECRET_KEY to instance/lms.cfg"
fi
export LMS_BASE_URL="${LMS_BASE_URL:-http://127.0.0.1:5000}"
.venv/bin/lms db upgrade
.venv/bin/lms demo
exec .venv/bin/lms run --host 127.0.0.1 --port "${PORT:-5000}"
