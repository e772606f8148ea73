#!/bin/sh
# One image, three roles: `serve` (the Medusa server, or its worker with MEDUSA_WORKER_MODE=worker),
# `setup` (the store's one-time setup, safe to run again) and `storefront` (our static storefront).
set -eu
role="${1:-serve}"
cd /app

wait_for_database() {
  # `medusa start` hangs without a word when PostgreSQL is unreachable: fail with a reason instead.
  node -e '
    const { Client } = require("pg");
    const deadline = Date.now() + Number(process.env.DATABASE_WAIT_SECONDS || 180) * 1000;
    (async function attempt() {
      const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
      try {
        await client.connect();
        await client.end();
      } catch (error) {
        if (Date.now() > deadline) {
          console.error(`setup: the database is not reachable: ${error.message}`);
          process.exit(1);
        }
        setTimeout(attempt, 1000);
      }
    })();
  '
}

case "$role" in
  serve)
    wait_for_database
    exec medusa start
    ;;
  setup)
    echo "setup: waiting for the database"
    wait_for_database
    echo "setup: migrating"
    medusa db:migrate
    echo "setup: admin user, region, shipping, storefront key and products"
    exec medusa exec ./src/scripts/setup-store.js
    ;;
  storefront)
    exec node /srv/storefront/server.mjs
    ;;
  *)
    echo "unknown role \"$role\": use serve, setup or storefront" >&2
    exit 64
    ;;
esac
