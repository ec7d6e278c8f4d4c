#!/usr/bin/env bash
# Make sure Debian's chromium is installed, for the browser tests (tests/api/web/test_browser.py).
# Playwright drives /usr/bin/chromium; a browser downloaded by a test tool is never used.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "Chromium mangler: installer pakken «chromium» (apt-get install chromium)." >&2
    exit 1
fi
echo "Installerer chromium fra Debians pakker (for nettlesertestene) …" >&2
export DEBIAN_FRONTEND=noninteractive
# `make -j` may run two of these scripts at once: wait for apt's lock rather than fail
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium fonts-dejavu-core >/dev/null
[[ -x /usr/bin/chromium ]]
