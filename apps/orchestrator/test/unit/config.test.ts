import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config.ts';
import { formatDuration, parseDuration } from '../../src/duration.ts';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      ENVIRONMENT: 'local',
      PROVISION_TIMEOUT: 900_000,
      MAX_PROVISION_RETRIES: 3,
      PROVISION_RETRY_BACKOFF: 10_000,
      MAX_CONCURRENT_PROVISIONS: 3,
      STORE_BASE_DOMAIN: 'localhost',
      CORS_ORIGINS: [],
      // The backups of a deleted store are kept 30 days.
      DELETED_STORE_BACKUP_RETENTION: 30 * 24 * 3_600_000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('parses every kind of value', () => {
    const config = loadConfig({
      PORT: '9000',
      PROVISION_TIMEOUT: '1h30m',
      PROVISION_RETRY_BACKOFF: '250ms',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      ENVIRONMENT: 'production',
      DATABASE_URL: 'postgres://u:p@db:5432/storefleet',
    });
    expect(config.PORT).toBe(9000);
    expect(config.PROVISION_TIMEOUT).toBe(5_400_000);
    expect(config.PROVISION_RETRY_BACKOFF).toBe(250);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(loadConfig({ DELETED_STORE_BACKUP_RETENTION: '0' }).DELETED_STORE_BACKUP_RETENTION).toBe(0);
    expect(loadConfig({ DELETED_STORE_BACKUP_RETENTION: '48h' }).DELETED_STORE_BACKUP_RETENTION).toBe(
      172_800_000,
    );
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty": expected a whole number from 0 to 65535/],
    ['PROVISION_TIMEOUT', '10 minutes', /PROVISION_TIMEOUT="10 minutes": expected a duration such as "15m"/],
    ['MAX_PROVISION_RETRIES', '-1', /MAX_PROVISION_RETRIES="-1": expected a whole number/],
    ['MAX_CONCURRENT_PROVISIONS', '0', /MAX_CONCURRENT_PROVISIONS="0": expected at least 1/],
    ['ENVIRONMENT', 'staging', /ENVIRONMENT="staging": expected "local" or "production"/],
    ['STORE_BASE_DOMAIN', 'Not A Domain', /STORE_BASE_DOMAIN=.*expected a DNS domain/],
    ['CORS_ORIGINS', 'not a url', /CORS_ORIGINS=.*comma-separated list of origins/],
    [
      'DELETED_STORE_BACKUP_RETENTION',
      '30d',
      /DELETED_STORE_BACKUP_RETENTION="30d": expected 0 or a duration such as "720h"/,
    ],
    ['DATABASE_URL', 'mysql://secret@x/y', /DATABASE_URL=\(hidden\): expected a PostgreSQL URL/],
  ])('refuses %s=%j naming the variable and the accepted form', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never shows the database password when described', () => {
    const described = describeConfig(loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/x' }));
    expect(JSON.stringify(described)).not.toContain('s3cret');
    expect(described.DATABASE_URL).toBe('postgres://app:***@db:5432/x');
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
  ])('%s = %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 'ten minutes', '5d'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it.each([
    [450, '450ms'],
    [12_000, '12s'],
    [90_000, '1m 30s'],
    [3_723_000, '1h 2m 3s'],
  ])('%i ms reads as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
