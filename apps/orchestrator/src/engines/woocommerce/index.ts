// WooCommerce on WordPress: charts/store.
import type { StoreValues } from '@storefleet/contracts';
import {
  type ChartInput,
  chartFullname,
  commonSecrets,
  type EngineModule,
  password,
  repoChart,
  SCHEDULE_ENV,
} from '../engine.ts';

const MARIADB = { component: 'database', container: 'mariadb' } as const;
const WORDPRESS = { component: 'app', container: 'wordpress' } as const;
const MARIADB_ROOT = 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" exec "$0" --user=root "$@" "$MARIADB_DATABASE"';
const UPLOADS = '/var/www/html/wp-content';

const SALTS = [
  'auth-key',
  'secure-auth-key',
  'logged-in-key',
  'nonce-key',
  'auth-salt',
  'secure-auth-salt',
  'logged-in-salt',
  'nonce-salt',
];

/** The store database's Service: what the backup Jobs talk to. */
const databaseHost = (release: string) => `${chartFullname(release, 53)}-db`;

export const woocommerce: EngineModule = {
  name: 'woocommerce',
  displayName: 'WooCommerce',
  chart: repoChart('store'),
  appComponents: ['app'],
  login: 'username',
  adminPath: '/wp-admin/',
  servingPath: '/',
  images: {
    refs: ['storefleet/wordpress:7.1.1-wc11.1.2'],
    whyMissing:
      'its image bakes in the WooCommerce plugin, which comes from the internet (wordpress.org); build images/wordpress where the internet is reachable and import it',
  },
  secrets(slug) {
    return { ...commonSecrets(slug), ...Object.fromEntries(SALTS.map((name) => [name, password(48)])) };
  },
  // WordPress stays on the cluster's general nodes: its chart takes no placement.
  values(input: ChartInput) {
    return {
      engine: 'woocommerce',
      store: { id: input.storeId, slug: input.slug, owner: input.owner, name: input.name },
      existingSecret: input.secretName,
      ingress: { className: input.ingressClass, host: input.host },
      ...(input.storageClass ? { persistence: { storageClass: input.storageClass } } : {}),
      ...(input.values.replicas === undefined ? {} : { app: { replicas: input.values.replicas } }),
    };
  },
  storeValuesFrom(chartValues): StoreValues {
    const replicas = (chartValues.app as { replicas?: unknown } | undefined)?.replicas;
    return typeof replicas === 'number' ? { replicas } : {};
  },
  backup: {
    database: {
      dump: {
        ...MARIADB,
        command: [
          'sh',
          '-c',
          MARIADB_ROOT,
          'mariadb-dump',
          '--single-transaction',
          '--routines',
          '--triggers',
        ],
      },
      restore: { ...MARIADB, command: ['sh', '-c', MARIADB_ROOT, 'mariadb'] },
    },
    files: {
      dump: { ...WORDPRESS, command: ['tar', '-C', UPLOADS, '-cf', '-', 'uploads'] },
      restore: {
        ...WORDPRESS,
        command: ['sh', '-c', `rm -rf ${UPLOADS}/uploads && tar -C ${UPLOADS} -xf -`],
      },
    },
    // The same from a backup Job (charts/store: the Service `<fullname>-db`, the database `wordpress`,
    // the uploads on the volume `<fullname>-wp-content`, owned by www-data, uid 33).
    job: (release) => ({
      database: {
        dump: [
          'mariadb-dump',
          '--user=root',
          '--single-transaction',
          '--routines',
          '--triggers',
          'wordpress',
        ],
        restore: ['mariadb', '--user=root', 'wordpress'],
        env: { MYSQL_HOST: databaseHost(release) },
        secretEnv: { MYSQL_PWD: 'database-root-password' },
        reaches: { component: 'database', port: 3306, host: databaseHost(release) },
      },
      files: {
        dump: ['tar', '-C', UPLOADS, '-cf', '-', 'uploads'],
        restore: ['sh', '-c', `rm -rf ${UPLOADS}/uploads && tar -C ${UPLOADS} -xf -`],
        env: {},
        secretEnv: {},
        volume: { claim: `${chartFullname(release, 53)}-wp-content`, mountPath: UPLOADS, beside: 'app' },
        runAsUser: 33,
      },
    }),
    writers: ['app', 'cron'],
    scheduleTrigger: {
      component: 'app',
      command: [
        'sh',
        '-c',
        // Connections that fail (a new pod not yet admitted by the NetworkPolicy enforcer) are tried again.
        `curl --fail-with-body --silent --show-error --connect-timeout 5 --retry 12 --retry-delay 5 --retry-connrefused -X POST -H "X-Backup-Token: $${SCHEDULE_ENV.token}" "$${SCHEDULE_ENV.url}"`,
      ],
    },
  },
};
