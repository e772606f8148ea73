// How insight values read: counts, milliseconds, cores, bytes, money, and times on the axis.
import type { InsightRange } from '@storefleet/contracts';
import { formatBytes } from '../../lib/format.ts';

export const RANGE_LABELS: Record<InsightRange, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export const formatCount = (value: number) =>
  value >= 10_000 ? compact.format(value) : integer.format(value);
export const formatMs = (value: number) =>
  value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${integer.format(value)} ms`;
export const formatCores = (millicores: number) =>
  millicores >= 1000 ? `${(millicores / 1000).toFixed(1)} cores` : `${integer.format(millicores)} m`;
export { formatBytes };

export function formatMoney(value: number, currency: string | null): string {
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency.toUpperCase()}`;
  }
}

const hourMinute = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' });
const dayHour = new Intl.DateTimeFormat('en', { weekday: 'short', hour: '2-digit' });

export const axisTime = (range: InsightRange) => (t: number) =>
  range === '7d' ? dayHour.format(t) : hourMinute.format(t);
