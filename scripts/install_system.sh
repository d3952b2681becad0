#!/usr/bin/env bash
# Installs what the project needs outside Python and npm: Debian's Chromium for the browser
# tests and benchmarks (Playwright drives it through executable_path; no browser download).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo present)"
else
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
touch .system-installed
