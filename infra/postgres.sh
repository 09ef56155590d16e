#!/usr/bin/env bash
# Starts (idempotently) a private PostgreSQL cluster on loopback for the tests of the database of
# record, installing Debian's PostgreSQL first when it is missing. Prints the JDBC URL.
#
#   export PICI_TEST_PG_URL="$(infra/postgres.sh)"
#   infra/postgres.sh --stop
#
# Usage: infra/postgres.sh [--stop]   (cluster under .ci/work/pg, port PICI_TEST_PG_PORT or 55432)
# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$repo/.ci/work/pg"
port="${PICI_TEST_PG_PORT:-55432}"

pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
  echo "postgres.sh: installing PostgreSQL from Debian ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi

as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ "${1:-}" == "--stop" ]]; then
  as_owner "$pgbin/pg_ctl" -D "$work/data" -m fast stop >&2 || true
  exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
  install -d -o postgres -g postgres "$work"
else
  mkdir -p "$work"
fi
if [[ ! -f "$work/data/PG_VERSION" ]]; then
  as_owner "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 >&2
fi
if ! as_owner "$pgbin/pg_ctl" -D "$work/data" status >/dev/null 2>&1; then
  as_owner "$pgbin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >&2
fi
echo "jdbc:postgresql://127.0.0.1:$port/postgres"
