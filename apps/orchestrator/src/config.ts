// Configuration from the environment, validated once at start-up. A bad value stops the process
// with a message naming the variable and the form it accepts.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@storefleet/contracts';
import { z } from 'zod';
import { type BackupTarget, BackupTargetError, backupTargetFrom } from './backups/target-config.ts';
import { DOMAIN_ENV } from './domains/domain-config.ts';
import { parseDuration } from './duration.ts';
import { MAIL_ENV } from './mail/mail-config.ts';

/** A positive duration in milliseconds; with `orZero`, `0` too (0 ms). */
export const duration = (example: string, options: { orZero?: boolean } = {}) =>
  z.string().transform((text, ctx) => {
    if (options.orZero && text.trim() === '0') return 0;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${options.orZero ? '0 or ' : ''}a duration such as "${example}" (units: ms, s, m, h)`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

/** Comma-separated values files, applied after the chart's environment file. */
const fileList = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((file) => file.trim())
      .filter(Boolean),
  );

const EnvSchema = z.object({
  PORT: integer(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'expected a PostgreSQL URL such as "postgres://user:password@host:5432/storefleet"',
    )
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Where backups are kept; default: DATA_DIR/backups. */
  BACKUP_DIR: z.string().min(1).optional(),
  /** Bytes of backups each user may keep, across all their stores. */
  BACKUP_QUOTA_BYTES: integer(0, Number.MAX_SAFE_INTEGER).default(2 * 1024 ** 3),
  /**
   * How long the backups of a deleted store are kept (still its former owner's, restorable into a new
   * store, counted in their BACKUP_QUOTA_BYTES); `0`: deleted with the store.
   */
  DELETED_STORE_BACKUP_RETENTION: duration('720h', { orZero: true }).default(720 * 3_600_000),
  /**
   * The orchestrator's address as pods in store namespaces reach it: scheduled backups ask for their
   * backup there. Unset: backup schedules are refused (backups on demand still work).
   */
  PLATFORM_INTERNAL_URL: z
    .url({ message: 'expected a URL such as "http://storefleet.storefleet.svc:8080"' })
    .optional(),
  /**
   * Outside the cluster (the local cluster): publish this orchestrator as the ingress's default
   * backend, so an asleep store's URL shows its asleep page. In a cluster the platform chart does it.
   */
  PUBLISH_INGRESS_FALLBACK: z
    .enum(['true', 'false'], { message: 'expected "true" or "false"' })
    .default('false')
    .transform((v) => v === 'true'),
  /** Put a Ready store to sleep after this long without storefront traffic; unset: never. */
  IDLE_SLEEP_AFTER: duration('2h').optional(),
  /** The ingress controller's Prometheus metrics (Traefik): idle sleep reads storefront traffic there. */
  INGRESS_METRICS_URL: z
    .url({ message: 'expected a URL such as "http://traefik.kube-system.svc:9100/metrics"' })
    .optional(),
  /**
   * Where the orchestrator reaches the ingress controller (e.g. http://127.0.0.1:8081): it asks it for
   * a store's host, as a visitor would, before it says a store is Asleep or awake again.
   */
  INGRESS_URL: z.url({ message: 'expected a URL such as "http://traefik.kube-system.svc"' }).optional(),
  /** How often store insights are sampled (traffic, resources, orders); at least 1s. */
  INSIGHTS_INTERVAL: duration('1m')
    .default(60_000)
    .refine((ms) => ms >= 1000, 'expected at least "1s"'),
  ...MAIL_ENV,
  /** How often the stores' failed sends are looked for (activity entries); at least 1s. */
  MAIL_SYNC_INTERVAL: duration('1m')
    .default(60_000)
    .refine((ms) => ms >= 1000, 'expected at least "1s"'),
  KUBECONFIG: z.string().min(1).optional(),
  HELM_BIN: z.string().min(1).default('helm'),
  /** More engines: folders each holding an engine module (index.ts) beside the built-in ones. */
  ENGINE_MODULES: fileList,
  /**
   * On the local cluster with a real node: `auto` runs each engine there when the node holds its
   * images (and refuses it otherwise); `simulated` keeps every store on the simulated nodes.
   */
  STORE_PLACEMENT: z
    .enum(['auto', 'simulated'], { message: 'expected "auto" or "simulated"' })
    .default('auto'),
  STORE_BASE_DOMAIN: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
      'expected a DNS domain such as "stores.example.com" or "localhost"',
    )
    .default('localhost'),
  /** The port of store URLs when the ingress does not answer on 80/443 (the local cluster's Traefik). */
  STORE_URL_PORT: integer(1, 65535).optional(),
  /** The same for https URLs (the local Traefik's https entry point). */
  STORE_URL_TLS_PORT: integer(1, 65535).optional(),
  ...DOMAIN_ENV,
  DOMAIN_CHECK_INTERVAL: duration('30s').default(30_000),
  DOMAIN_ISSUE_TIMEOUT: duration('10m').default(10 * 60_000),
  CERTIFICATE_CHECK_INTERVAL: duration('1h').default(60 * 60_000),
  INGRESS_CLASS: z.string().min(1).default('traefik'),
  STORAGE_CLASS: z.string().min(1).optional(),
  /** More values files of an engine's chart, applied after its environment's: `engine=file,…`. */
  ENGINE_VALUES_FILES: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]*=.+$/, 'expected "engine=path/to/values.yaml"'))),
  STORE_CLUSTER_ROLE: z.string().min(1).optional(),
  ORCHESTRATOR_SERVICE_ACCOUNT: z
    .string()
    .regex(
      /^[a-z0-9-]+\/[a-z0-9-]+$/,
      'expected "<namespace>/<serviceaccount>", e.g. "storefleet/storefleet-orchestrator"',
    )
    .optional(),
  ENVIRONMENT: z
    .enum(['local', 'production'], { message: 'expected "local" or "production"' })
    .default('local'),
  RESOURCE_PREFIX: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,11}$/,
      'expected up to 12 lowercase letters, digits or dashes, starting with a letter, e.g. "store-"',
    )
    .default('store-'),
  PROVISION_TIMEOUT: duration('15m').default(15 * 60_000),
  MAX_PROVISION_RETRIES: integer(0, 20).default(3),
  PROVISION_RETRY_BACKOFF: duration('10s').default(10_000),
  MAX_STORES: integer(1, 100_000).default(100),
  MAX_STORES_PER_USER: integer(1, 10_000).default(5),
  MAX_CONCURRENT_PROVISIONS: integer(1, 1000).default(3),
  WORKER_CONCURRENCY: integer(1, 100).default(4),
  LEASE_DURATION: duration('30s').default(30_000),
  RESYNC_INTERVAL: duration('5m').default(5 * 60_000),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.url({ message: 'expected a comma-separated list of origins such as "https://dash.example.com"' }),
      ),
    ),
  RATE_LIMIT_MAX: integer(1, 1_000_000).default(60),
  RATE_LIMIT_WINDOW: duration('1m').default(60_000),
  SIGNUP_ENABLED: z
    .enum(['true', 'false'], { message: 'expected "true" or "false"' })
    .default('true')
    .transform((v) => v === 'true'),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    ),
  SESSION_TTL: duration('12h').default(12 * 3_600_000),
  AUTH_RATE_LIMIT_MAX: integer(1, 10_000).default(10),
  AUTH_RATE_LIMIT_WINDOW: duration('15m').default(15 * 60_000),
  BODY_LIMIT_BYTES: integer(1024, 10 * 1024 * 1024).default(16 * 1024),
  DASHBOARD_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../dashboard/dist', import.meta.url))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  /** Absolute path of DATA_DIR. */
  dataDir: string;
  /** Absolute path of BACKUP_DIR (DATA_DIR/backups unless set). */
  backupDir: string;
  /** ENGINE_VALUES_FILES by engine. */
  engineValuesFiles: Record<Engine, string[]>;
}

export class ConfigError extends Error {}

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SMTP_PASSWORD']);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      const shown = SECRET_VARIABLES.has(variable) ? '(hidden)' : JSON.stringify(env[variable] ?? '');
      return `  ${variable}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const data = parsed.data;
  if (data.IDLE_SLEEP_AFTER !== undefined && data.INGRESS_METRICS_URL === undefined) {
    throw new ConfigError(
      "Invalid configuration:\n  IDLE_SLEEP_AFTER needs INGRESS_METRICS_URL: idle sleep measures storefront traffic from the ingress controller's metrics.",
    );
  }
  if (data.SMTP_PASSWORD !== undefined && data.SMTP_USER === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  SMTP_PASSWORD needs SMTP_USER: the relay is signed in to with both.',
    );
  }
  const engineValuesFiles: Record<Engine, string[]> = {};
  for (const entry of data.ENGINE_VALUES_FILES) {
    const [engine = '', ...file] = entry.split('=');
    engineValuesFiles[engine] = [...(engineValuesFiles[engine] ?? []), resolve(file.join('='))];
  }
  return {
    ...data,
    dataDir: resolve(data.DATA_DIR),
    backupDir: resolve(data.BACKUP_DIR ?? join(data.DATA_DIR, 'backups')),
    engineValuesFiles,
  };
}

/**
 * The backup target (BACKUP_TARGET and, for "s3", the BACKUP_S3_* variables and the age key), checked
 * like the rest: a bad value is a ConfigError naming the variable, never repeating a secret. Apart
 * from loadConfig because reading an age key is asynchronous.
 */
export async function loadBackupTarget(
  config: Pick<Config, 'backupDir'>,
  env: Record<string, string | undefined> = process.env,
): Promise<BackupTarget> {
  try {
    return await backupTargetFrom(env, config.backupDir);
  } catch (error) {
    if (error instanceof BackupTargetError)
      throw new ConfigError(`Invalid configuration:\n  ${error.message}`);
    throw error;
  }
}

/** Configuration in a form safe to log: the database URL loses its password. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { DATABASE_URL, SMTP_PASSWORD, ...rest } = config;
  return {
    ...rest,
    SMTP_PASSWORD: SMTP_PASSWORD ? '***' : undefined,
    DATABASE_URL: DATABASE_URL ? DATABASE_URL.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@') : undefined,
  };
}
