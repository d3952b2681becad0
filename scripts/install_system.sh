#!/usr/bin/env bash
# Installs what the project needs outside Python and npm: Debian's Chromium for the browser
# tests and benchmarks (Playwright drives it through executable_path; no browser download).
# Without recommended packages (Chromium recommends printing, notification, avahi, mesa and
# desktop tools nobody headless uses): 239 packages instead of 399, 233 MB downloaded instead
# of 279 MB, 829 MB installed instead of 1,002 MB on an empty Debian 12 (docs/RESULTS.md).
# The one font the pages need is DejaVu Sans (the screenshots' sans-serif); it is named
# although fontconfig already pulls it in, so that the screenshots never render without one.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo present)"
else
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
touch .system-installed
