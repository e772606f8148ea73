import type { Migration } from 'kysely/migration';
import * as initial from './0001_initial.ts';
import * as upgrades from './0002_upgrades.ts';
import * as accounts from './0003_accounts.ts';
import * as fleetUpgrades from './0004_fleet_upgrades.ts';
import * as fleetUpgradeLeases from './0005_fleet_upgrade_leases.ts';
import * as generations from './0006_generations.ts';
import * as queueSubjects from './0007_queue_subjects.ts';
import * as backups from './0008_backups.ts';
import * as operationPayloads from './0009_operation_payloads.ts';
import * as domains from './0010_domains.ts';
import * as storeInsights from './0011_store_insights.ts';
import * as mail from './0012_mail.ts';
import * as backupTargets from './0013_backup_targets.ts';

/** Every migration, by name; names sort in the order they run. Never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_upgrades': upgrades,
  '0003_accounts': accounts,
  '0004_fleet_upgrades': fleetUpgrades,
  '0005_fleet_upgrade_leases': fleetUpgradeLeases,
  '0006_generations': generations,
  '0007_queue_subjects': queueSubjects,
  '0008_backups': backups,
  '0009_operation_payloads': operationPayloads,
  '0010_domains': domains,
  '0011_store_insights': storeInsights,
  '0012_mail': mail,
  '0013_backup_targets': backupTargets,
};
