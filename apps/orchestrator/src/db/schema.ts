// Row types of the tables, as Kysely sees them. Column names are snake_case in SQL.

import type { Condition, OperationPayload, StepTimings, StoreValues } from '@storefleet/contracts';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DeployedRecord, JobPayload } from '../domain/store.ts';
import type { StoreDomainsTable } from './domains-table.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface StoresTable {
  id: string;
  slug: string;
  name: string;
  engine: string;
  owner_id: string;
  state: string;
  generation: number;
  observed_generation: number;
  conditions: JSONColumnType<Condition[], string, string>;
  failure_operation: string | null;
  failure_step: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  failure_retryable: boolean | null;
  attempts: number;
  step_timings: JSONColumnType<StepTimings, string, string>;
  operation: string | null;
  payload: JSONColumnType<OperationPayload, string, string>;
  namespace: string;
  release: string;
  revision: number | null;
  values: JSONColumnType<StoreValues, string, string>;
  chart_version: string | null;
  deployed: JSONColumnType<DeployedRecord | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  provisioning_started_at: Timestamp | null;
  ready_at: Timestamp | null;
  deleted_at: Timestamp | null;
  backup_cron: string | null;
  backup_keep: Generated<number>;
  backup_token_hash: string | null;
  last_traffic_at: Timestamp | null;
  mail_checked_until: Timestamp | null;
}

export interface BackupsTable {
  id: string;
  store_id: string;
  owner_id: string;
  engine: string;
  status: string;
  trigger: string;
  parts: JSONColumnType<string[], string, string>;
  /** bigint: PostgreSQL drivers hand it back as a string. */
  size_bytes: ColumnType<string | null, number | null, number | null>;
  storage_key: string;
  failure: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** `volume` or `s3`. */
  target: ColumnType<string, string | undefined, string>;
  /** The agent's manifest of a backup in the bucket. */
  manifest: ColumnType<unknown, string | null | undefined, string | null>;
}

/** A job is about exactly one subject: a store, or a fleet upgrade run. */
export interface WorkQueueTable {
  id: string;
  store_id: string | null;
  fleet_upgrade_id: string | null;
  kind: string;
  version: number;
  run_at: Timestamp;
  attempts: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  last_error: string | null;
  payload: JSONColumnType<JobPayload, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LocksTable {
  name: string;
}

export interface ActivityTable {
  id: Generated<number>;
  store_id: string | null;
  type: string;
  message: string;
  details: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface AuditTable {
  id: Generated<number>;
  actor: string;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status_code: number | null;
  reason: string | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  owner_id: string;
  key: string;
  request_hash: string;
  store_id: string;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface FleetUpgradesTable {
  id: string;
  state: string;
  store_ids: JSONColumnType<string[], string, string>;
  upgraded_ids: JSONColumnType<string[], string, string>;
  concurrency: number;
  failed_store_id: string | null;
  message: string;
  created_by: string;
  created_at: Timestamp;
  finished_at: Timestamp | null;
  /** The batch in flight: its stores, each with the generation it had before the run upgraded it. */
  batch: ColumnType<FleetBatchEntry[] | null, string | null | undefined, string | null>;
}

export interface FleetBatchEntry {
  storeId: string;
  generation: number;
  /** Set when the run could not ask for this store's upgrade: the store's name and why. */
  failed?: { name: string; reason: string };
}

/** One point of a store's insights (see migration 0011): null = not reported. bigints come back as strings. */
export interface StoreSamplesTable {
  store_id: string;
  resolution: 'minute' | 'hour';
  at: Timestamp;
  seconds: number;
  requests: number | null;
  client_errors: number | null;
  server_errors: number | null;
  latency_p95_ms: number | null;
  cpu_millicores: number | null;
  cpu_limit_millicores: number | null;
  memory_bytes: ColumnType<string | null, number | null, number | null>;
  memory_limit_bytes: ColumnType<string | null, number | null, number | null>;
  disk_bytes: ColumnType<string | null, number | null, number | null>;
  orders: number | null;
  revenue: number | null;
  currency: string | null;
}

export interface Schema {
  store_samples: StoreSamplesTable;
  backups: BackupsTable;
  fleet_upgrades: FleetUpgradesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  stores: StoresTable;
  work_queue: WorkQueueTable;
  locks: LocksTable;
  activity: ActivityTable;
  audit: AuditTable;
  idempotency_keys: IdempotencyKeysTable;
  store_domains: StoreDomainsTable;
}
