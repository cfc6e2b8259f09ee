#!/usr/bin/env bash
# Install what Ikrar needs on a fresh Debian machine: system libraries, a virtualenv, the package.
#   scripts/setup.sh          app only (WeasyPrint's Pango, fonts)
#   scripts/setup.sh --test   plus Chromium and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
              fonts-dejavu-core fonts-liberation2 python3-venv)
if [[ $WITH_TEST -eq 1 ]]; then
  APT_PACKAGES+=(chromium postgresql redis-server)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "==> installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
EXTRAS=""
[[ $WITH_TEST -eq 1 ]] && EXTRAS="[test]"
STAMP=".venv/.ikrar-installed${EXTRAS:+-test}"
# Re-install whenever the packaging changes (dependencies, extras, entry points, package layout).
HASH=$(cat pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$HASH" ]]; then
  echo "==> installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -U pip
  .venv/bin/pip install -q --disable-pip-version-check -e ".${EXTRAS}"
  echo "$HASH" > "$STAMP"
fi
