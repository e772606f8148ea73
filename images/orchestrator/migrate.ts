// Applies the orchestrator's database migrations to DATABASE_URL and exits. The platform chart runs it
// as an init container (database.migrations.existingSecret) with the URL of the role that owns the
// schema, so that the orchestrator itself can run as a role without DDL rights (docs/operations.md).
// The orchestrator migrates at start-up too; when this has run first, that finds nothing to do.
import { openDatabase } from '../../apps/orchestrator/src/db/database.ts';

const url = process.env.DATABASE_URL;
if (!url || !/^postgres(ql)?:\/\//.test(url)) {
  process.stderr.write(
    'migrate: set DATABASE_URL to a PostgreSQL URL (postgres://user:password@host:5432/db)\n',
  );
  process.exit(2);
}
try {
  const database = await openDatabase({ url });
  await database.close();
  process.stdout.write('migrate: the database schema is up to date\n');
} catch (error) {
  process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
