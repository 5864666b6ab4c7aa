#!/usr/bin/env bash
# with-postgres.sh COMMAND...: run COMMAND with a PostgreSQL server for the tests.
# Uses TEST_DATABASE_URL, or the server at 127.0.0.1:5432 when it answers; otherwise
# starts a throwaway server (Debian's postgresql package) and stops it afterwards.
set -euo pipefail

answers() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if [ -n "${TEST_DATABASE_URL:-}" ] || answers 5432; then
  exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: no PostgreSQL at 127.0.0.1:5432 and none installed. Install Debian's postgresql package or set TEST_DATABASE_URL." >&2
    exit 1
  fi
  echo "installing postgresql for a throwaway test server"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

port=55432
datadir=$(mktemp -d /tmp/pgtest.XXXXXX)
as_owner() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
# PostgreSQL refuses to run as root: the data folder belongs to the postgres user.
[ "$(id -u)" = 0 ] && chown postgres: "$datadir"
as_owner "'$bindir/initdb' -D '$datadir' -A trust -U postgres >/dev/null"
as_owner "'$bindir/pg_ctl' -D '$datadir' -o \"-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$datadir/log' -w start >/dev/null"
trap 'as_owner "\"$bindir/pg_ctl\" -D \"$datadir\" -m fast -w stop >/dev/null"; rm -rf "$datadir"' EXIT
echo "started a throwaway PostgreSQL on 127.0.0.1:$port"
export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
"$@"
