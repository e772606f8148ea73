#!/bin/sh
# One image, three roles: `serve` (the Medusa server, or its worker with MEDUSA_WORKER_MODE=worker),
# `setup` (the store's one-time setup, safe to run again) and `storefront` (our static storefront).
set -eu
role="${1:-serve}"
cd /app

# The setup marks the database once it is migrated and seeded (a row in storefleet_setup): the server
# starts only then. Started earlier, it exits on a missing table (a crash loop whose back-off outlasts
# the setup) or races the setup to create the store's defaults twice.
database() {
  node -e '
    const { Client } = require("pg");
    const [action, role] = process.argv.slice(1);
    const deadline = Date.now() + Number(process.env.DATABASE_WAIT_SECONDS || 900) * 1000;
    let said = "";
    (async function attempt() {
      const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
      let why;
      try {
        await client.connect();
        if (action === "mark-set-up") {
          await client.query("create table if not exists storefleet_setup (step text primary key, done_at timestamptz not null)");
          await client.query("insert into storefleet_setup values ($1, now()) on conflict (step) do update set done_at = now()", ["set-up"]);
        } else if (action === "wait-set-up") {
          const { rows } = await client.query("select to_regclass($1) is not null as found", ["public.storefleet_setup"]);
          const done = rows[0].found && (await client.query("select 1 from storefleet_setup where step = $1", ["set-up"])).rowCount;
          if (!done) why = "not set up yet (the setup job migrates and seeds it)";
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
    database wait-set-up
    exec medusa start
    ;;
  setup)
    database wait-reachable
    echo "setup: migrating"
    medusa db:migrate
    echo "setup: admin user, region, shipping, storefront key and products"
    medusa exec ./src/scripts/setup-store.js
    database mark-set-up
    echo "setup: done"
    ;;
  storefront)
    exec node /srv/storefront/server.mjs
    ;;
  *)
    echo "unknown role \"$role\": use serve, setup or storefront" >&2
    exit 64
    ;;
esac
