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
apt-get update -qq
# The package's own cluster is not used (tests make a throwaway one); keep it from starting.
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
