// The store_domains table (migration 0010), as Kysely sees it.
import type { CertificateCheck } from '@storefleet/contracts';
import type { ColumnType, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface StoreDomainsTable {
  id: string;
  store_id: string;
  hostname: string;
  display_name: string;
  state: string;
  reason: string;
  message: string;
  verification_token: string;
  is_primary: boolean;
  removing: boolean;
  certificate: JSONColumnType<CertificateCheck | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  verified_at: Timestamp | null;
  issuing_since: Timestamp | null;
  active_at: Timestamp | null;
}
