#!/usr/bin/env bash
# Install Debian's chromium (browser tests, axe checks, Plotly image export).
# Playwright cannot download its own browser here, so it drives this one via executable_path.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "chromium is not installed and this user cannot install it (needs root or passwordless sudo)." >&2
  echo "Install it with: apt-get install chromium   (browser tests will be skipped until then)" >&2
  exit 0
fi
echo "Installing Debian's chromium for browser tests..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
