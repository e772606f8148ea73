#!/bin/sh
# One image, four roles: `serve` (the Medusa server, or its worker with MEDUSA_WORKER_MODE=worker),
# `setup` (the store's one-time setup, safe to run again), `storefront` (our static storefront) and
# `bake` (at image build only: the migrated schema every new store's database starts from).
set -eu
role="${1:-serve}"
# MEDUSA_APP_DIR: only for the entrypoint's tests.
cd "${MEDUSA_APP_DIR:-/app}"

# The schema the database is migrated to is marked in it (a row `schema:<id>` in storefleet_setup): the
# server starts only once its image's schema is there. Started earlier, it exits on a missing table (a
# crash loop whose back-off outlasts the setup). Medusa also creates its defaults (store, sales channel)
# when it boots, if missing (`medusa db:migrate` does not): the baked schema holds them, so the server
# starts at once beside the setup script; a setup that migrates writes the mark only after its script
# has booted Medusa, so the two never both find them missing.
database() {
  node -e '
    const { Client } = require("pg");
    const [action, role, argument, dump] = process.argv.slice(1);
    const deadline = Date.now() + Number(process.env.DATABASE_WAIT_SECONDS || 900) * 1000;
    const marks = "create table if not exists storefleet_setup (step text primary key, done_at timestamptz not null)";
    let said = "";
    (async function attempt() {
      const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
      let why;
      let connected = false;
      try {
        await client.connect();
        connected = true;
        const marked = async (step) =>
          (await client.query("select to_regclass($1) is not null as found", ["public.storefleet_setup"])).rows[0].found &&
          (await client.query("select 1 from public.storefleet_setup where step = $1", [step])).rowCount > 0;
        if (action === "mark") {
          await client.query(marks);
          await client.query("insert into storefleet_setup values ($1, now()) on conflict (step) do update set done_at = now()", [argument]);
        } else if (action === "wait-schema") {
          // A database set up before schema marks (only `set-up`) is taken as it is, as it was then.
          const older = !(await marked(argument)) && (await marked("set-up")) &&
            (await client.query("select 1 from public.storefleet_setup where step like $1", ["schema:%"])).rowCount === 0;
          if (!older && !(await marked(argument))) why = "not migrated to this image yet (the setup job migrates it)";
        } else if (action === "prepare") {
          // An empty database starts from the schema baked into the image (one lock, one transaction);
          // then the exit code says whether it is at the schema of this image (0) or must be migrated (3).
          const started = Date.now();
          await client.query("begin");
          await client.query("select pg_advisory_xact_lock(4242)");
          const { rows } = await client.query("select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1", ["public"]);
          if (rows[0].n === 0 && require("fs").existsSync(dump)) {
            // Its psql meta-commands (\restrict) are for psql only.
            const sql = require("fs").readFileSync(dump, "utf8").split("\n").filter((line) => !line.startsWith("\\")).join("\n");
            await client.query(sql);
            await client.query("reset search_path"); // the dump empties it
            // Medusa made a default publishable key at the bake: each store gets its own token.
            const { randomBytes } = require("crypto");
            for (const { id } of (await client.query("select id from public.api_key where type = $1", ["publishable"])).rows) {
              const token = `pk_${randomBytes(32).toString("hex")}`;
              await client.query("update public.api_key set token = $1, redacted = $2 where id = $3", [token, `${token.slice(0, 6)}***${token.slice(-3)}`, id]);
            }
            console.log(`${role}: the database starts from the schema baked into the image (${Date.now() - started} ms)`);
          }
          await client.query("commit");
          process.exitCode = (await marked(argument)) ? 0 : 3;
        }
      } catch (error) {
        if (action === "prepare" && connected) {
          console.error(`${role}: restoring the baked schema failed: ${error.message}`);
          process.exit(1);
        }
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
      setTimeout(attempt, 500);
    })();
  ' "$1" "$role" "${2:-}" "${3:-}"
}

# What decides the schema: Medusa's packages (the lock file), our configuration and modules, and
# whether Redis is on (its workflow engine has migrations of its own). E-mail adds no tables.
schema_id() {
  {
    cat package-lock.json medusa-config.js
    find src/modules src/links -type f 2>/dev/null | LC_ALL=C sort | xargs -r cat
    echo "redis=${REDIS_URL:+on}"
  } | sha256sum | cut -c1-16
}

case "$role" in
  serve)
    database wait-schema "schema:$(schema_id)"
    exec medusa start
    ;;
  setup)
    schema="schema:$(schema_id)"
    # The baked schema is this image's migrated one: `medusa db:migrate` (three boots of Medusa, about
    # 9 s) would change nothing. A newer image, or Redis, has another id and migrates.
    migrated=""
    state=0
    database prepare "$schema" storefleet/schema.sql || state=$?
    case "$state" in
      0) echo "setup: the database is already migrated to this image's schema ($schema)" ;;
      3)
        echo "setup: migrating"
        medusa db:migrate
        migrated=yes
        ;;
      *) exit "$state" ;;
    esac
    echo "setup: admin user, region, shipping, storefront key and products"
    medusa exec ./src/scripts/setup-store.js
    if [ -n "$migrated" ]; then database mark "$schema"; fi
    database mark set-up
    echo "setup: done"
    ;;
  storefront)
    exec node /srv/storefront/server.mjs
    ;;
  bake)
    # At image build (image.json), as uid 1000: a throwaway PostgreSQL of the image's build system,
    # migrated by this image, dumped as SQL into $2. Only the dump goes into the image.
    out="${2:?bake needs an output directory}"
    for bin in /usr/lib/postgresql/*/bin; do :; done
    data="$out/pgdata"
    "$bin/initdb" --pgdata="$data" --username=medusa --auth=trust --no-sync >/dev/null
    # TCP on the loopback, as Medusa connects in a store; a port the build machine is unlikely to use.
    port="${BAKE_DATABASE_PORT:-55432}"
    "$bin/pg_ctl" --pgdata="$data" --wait --silent \
      --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$out -c fsync=off" start
    "$bin/psql" --host="$out" --port="$port" --username=medusa --dbname=postgres --quiet --command="CREATE DATABASE medusa"
    export DATABASE_URL="postgres://medusa@127.0.0.1:$port/medusa"
    # medusa-config.ts wants these; nothing of them reaches the database.
    export JWT_SECRET=bake COOKIE_SECRET=bake STORE_CORS=http://bake ADMIN_CORS=http://bake AUTH_CORS=http://bake
    unset REDIS_URL
    medusa db:migrate
    # Medusa makes its defaults (the store, its sales channel) when it boots, not when it migrates: one
    # boot here puts them in the schema, so the server and the setup never both find them missing.
    printf 'exports.default = async function () {};\n' > "$out/boot.js"
    medusa exec "$out/boot.js"
    database mark "schema:$(schema_id)"
    "$bin/pg_dump" --host="$out" --port="$port" --username=medusa --dbname=medusa \
      --no-owner --no-privileges --inserts --rows-per-insert=100 > "$out/schema.sql"
    "$bin/pg_ctl" --pgdata="$data" --wait --silent stop
    rm -rf "$data"
    echo "bake: $(wc -c < "$out/schema.sql") bytes of schema for schema:$(schema_id)"
    ;;
  *)
    echo "unknown role \"$role\": use serve, setup, storefront or bake" >&2
    exit 64
    ;;
esac
