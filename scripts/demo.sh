#!/usr/bin/env bash
# One command for a fresh machine: install, migrate, seed the demo, serve it on HOST:PORT
# (default http://127.0.0.1:5000). The QR codes of the demo certificates point to the address it
# is served on: BASE_URL follows HOST and PORT unless LMS_BASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
export LMS_BASE_URL="${LMS_BASE_URL:-http://${HOST}:${PORT}}"
if [[ "${1:-}" == "--print-base-url" ]]; then  # what the demo would use, without running it
  echo "$LMS_BASE_URL"
  exit 0
fi
scripts/setup.sh
mkdir -p instance
if [[ ! -f instance/lms.cfg ]]; then
  echo "SECRET_KEY = '$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')'" > instance/lms.cfg
  echo "==> wrote a random SECRET_KEY to instance/lms.cfg"
fi
.venv/bin/lms db upgrade
.venv/bin/lms demo
echo "==> serving on $LMS_BASE_URL (certificate QR codes point here)"
exec .venv/bin/lms run --host "$HOST" --port "$PORT"
