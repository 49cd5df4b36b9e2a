#!/usr/bin/env bash
# Install the Debian packages the tests drive: chromium (browser tests, axe checks, Plotly image export)
# and nginx-light (tests/deploy/test_proxy.py runs deploy/nginx.conf in front of the app).
# Playwright cannot download its own browser here, so it drives this one via executable_path.
# Installing nginx starts its default site only where services start on install (not in containers);
# `systemctl disable --now nginx` stops it: the tests run their own nginx on free ports.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "${missing[*]} not installed and this user cannot install them (needs root or passwordless sudo)." >&2
  echo "Install them with: apt-get install ${missing[*]}   (their tests are skipped until then)" >&2
  exit 0
fi
echo "Installing Debian's ${missing[*]} for the tests..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v chromium >/dev/null 2>&1 && chromium --version
