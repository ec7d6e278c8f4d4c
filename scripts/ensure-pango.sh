#!/usr/bin/env bash
# Make sure Debian's Pango is installed: WeasyPrint lays out the case documents
# (GET /v1/cases/{id}/document.pdf) with it. Installed from Debian's packages, never fetched
# by the service at run time.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' && ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "Pango mangler: installer pakkene «libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core» (apt-get install …)." >&2
    exit 1
fi
echo "Installerer Pango fra Debians pakker (for PDF-dokumentene) …" >&2
export DEBIAN_FRONTEND=noninteractive
# `make -j` may run two of these scripts at once: wait for apt's lock rather than fail
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
