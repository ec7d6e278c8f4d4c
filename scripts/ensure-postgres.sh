#!/usr/bin/env bash
# Make sure a PostgreSQL server (Debian's package) is installed, for the database tests.
# No-op when /usr/lib/postgresql/*/bin/postgres exists or UTVALG_TEST_POSTGRES_URL is set.
set -euo pipefail
if [[ -n "${UTVALG_TEST_POSTGRES_URL:-}" ]] || compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "PostgreSQL-serveren mangler: installer pakken «postgresql» (apt-get install postgresql)" \
         "eller sett UTVALG_TEST_POSTGRES_URL." >&2
    exit 1
fi
echo "Installerer PostgreSQL-serveren fra Debians pakker …" >&2
export DEBIAN_FRONTEND=noninteractive
# `make -j` may run two of these scripts at once: wait for apt's lock rather than fail
apt-get -o DPkg::Lock::Timeout=600 update -qq
# The package's own cluster is not used (tests make a throwaway one); keep it from starting.
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
