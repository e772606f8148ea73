import type { Migration } from 'kysely/migration';
import * as initial from './0001_initial.ts';

/** Every migration, by name; names sort in the order they run. Never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
};
