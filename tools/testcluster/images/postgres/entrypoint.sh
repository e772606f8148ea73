#!/bin/sh
# PostgreSQL's entrypoint: initialises PGDATA on first start (superuser POSTGRES_USER with
# POSTGRES_PASSWORD, database POSTGRES_DB), then runs the command as the postgres user.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
if [ "$(id -u)" = 0 ]; then
  # A fresh volume belongs to root: hand it over, then drop root for good.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD is not set: refusing to create a database anyone could enter" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  # initdb makes only `postgres`: the application's database (POSTGRES_DB, else one named after the
  # user, as the official image does) is created here.
  POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  if [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start >/dev/null
    psql --username="$POSTGRES_USER" --dbname=postgres --quiet \
      --command="CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\""
    pg_ctl --pgdata="$PGDATA" --wait stop >/dev/null
  fi
  echo "initialised $PGDATA"
fi
exec "$@"
