#!/bin/sh
# One image, three roles: `serve` (the Medusa server, or its worker with MEDUSA_WORKER_MODE=worker),
# `setup` (the store's one-time setup, safe to run again) and `storefront` (our static storefront).
set -eu
role="${1:-serve}"
cd /app

wait_for_database() {
  # `medusa start` hangs without a word when PostgreSQL is unreachable, and exits when the setup has
  # not migrated it yet (a crash loop whose back-off outlasts the setup): wait for what is needed
  # ($1: "reachable" or "migrated"), and fail with the reason after DATABASE_WAIT_SECONDS.
  node -e '
    const { Client } = require("pg");
    const [need, role] = process.argv.slice(1);
    const deadline = Date.now() + Number(process.env.DATABASE_WAIT_SECONDS || 600) * 1000;
    let said = "";
    (async function attempt() {
      const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
      let why;
      try {
        await client.connect();
        if (need === "migrated") {
          const { rows } = await client.query("select to_regclass($1) as found", ["public.tax_provider"]);
          if (!rows[0].found) why = "not migrated yet (the setup job migrates it)";
        }
      } catch (error) {
        why = `not reachable: ${error.message}`;
      } finally {
        await client.end().catch(() => {});
      }
      if (!why) return;
      if (Date.now() > deadline) {
        console.error(`${role}: the database is ${why}; gave up`);
        process.exit(1);
      }
      if (why !== said) console.log(`${role}: waiting, the database is ${why}`);
      said = why;
      setTimeout(attempt, 2000);
    })();
  ' "$1" "$role"
}

case "$role" in
  serve)
    wait_for_database migrated
    exec medusa start
    ;;
  setup)
    wait_for_database reachable
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
