// Medusa v2 with our storefront: charts/medusa, image images/medusa.
import type { StoreValues } from '@storefleet/contracts';
import {
  type ChartInput,
  chartFullname,
  commonSecrets,
  type EngineModule,
  password,
  placementValues,
  repoChart,
  SCHEDULE_ENV,
} from '../engine.ts';

const POSTGRES = { component: 'database', container: 'postgres' } as const;
/** psql's connection, from the container's own environment (the chart sets these). */
const CONNECT =
  'PGPASSWORD="$POSTGRES_PASSWORD" exec "$0" --host=127.0.0.1 --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" "$@"';

/** The store database's Service: what the backup Jobs talk to. */
const databaseHost = (release: string) => `${chartFullname(release, 42)}-database`;

export const medusa: EngineModule = {
  name: 'medusa',
  displayName: 'Medusa',
  chart: repoChart('medusa'),
  appComponents: ['app', 'storefront', 'worker'],
  login: 'email',
  adminPath: '/app/',
  servingPath: '/storefront/config',
  servingContentType: 'application/json',
  images: {
    refs: ['storefleet.local/medusa:2.21.2', 'storefleet.local/postgres:15'],
    whyMissing: 'its images are built from images/medusa and tools/testcluster/images/postgres and imported',
  },
  secrets(slug) {
    return { ...commonSecrets(slug), 'jwt-secret': password(32), 'cookie-secret': password(32) };
  },
  values(input: ChartInput, placement) {
    return {
      store: { id: input.storeId, slug: input.slug, owner: input.owner, name: input.name },
      existingSecret: input.secretName,
      ingress: { className: input.ingressClass, host: input.host },
      ...(input.storageClass ? { persistence: { storageClass: input.storageClass } } : {}),
      ...(input.values.replicas === undefined ? {} : { medusa: { replicas: input.values.replicas } }),
      ...placementValues(placement),
    };
  },
  storeValuesFrom(chartValues): StoreValues {
    const replicas = (chartValues.medusa as { replicas?: unknown } | undefined)?.replicas;
    return typeof replicas === 'number' ? { replicas } : {};
  },
  backup: {
    database: {
      dump: { ...POSTGRES, command: ['sh', '-c', CONNECT, 'pg_dump', '--format=custom', '--no-owner'] },
      // One transaction: a restore that fails part-way leaves the database as it was.
      restore: {
        ...POSTGRES,
        command: [
          'sh',
          '-c',
          CONNECT,
          'pg_restore',
          '--clean',
          '--if-exists',
          '--no-owner',
          '--single-transaction',
          '--exit-on-error',
        ],
      },
    },
    // The same dump and restore from a backup Job, over the database's Service (charts/medusa: the
    // Service `<fullname>-database`, user and database `medusa`, the password in the store's Secret).
    job: (release) => ({
      database: {
        dump: ['pg_dump', '--format=custom', '--no-owner'],
        restore: [
          'pg_restore',
          '--dbname=medusa',
          '--clean',
          '--if-exists',
          '--no-owner',
          '--single-transaction',
          '--exit-on-error',
        ],
        env: { PGHOST: databaseHost(release), PGUSER: 'medusa', PGDATABASE: 'medusa' },
        secretEnv: { PGPASSWORD: 'database-password' },
        reaches: { component: 'database', port: 5432, host: databaseHost(release) },
      },
    }),
    // Product images are links; Medusa keeps no uploads in the store's volumes.
    writers: ['app', 'worker', 'storefront'],
    scheduleTrigger: {
      component: 'app',
      // A new pod's address may not be admitted by the NetworkPolicy enforcer for its first seconds:
      // a connection that fails is tried again for a minute; an answer, even an error, is final.
      command: [
        'node',
        '-e',
        `const until = Date.now() + 60000; const post = () => fetch(process.env.${SCHEDULE_ENV.url}, { method: 'POST', headers: { 'x-backup-token': process.env.${SCHEDULE_ENV.token} }, signal: AbortSignal.timeout(10000) }).then(async (r) => { console.log(r.status, await r.text()); process.exit(r.ok ? 0 : 1); }, (e) => { const reason = e.cause?.code ?? e.cause?.message ?? e.message; if (Date.now() < until) { console.error(reason + '; trying again'); setTimeout(post, 2000); } else { console.error(reason); process.exit(1); } }); post();`,
      ],
    },
  },
};
