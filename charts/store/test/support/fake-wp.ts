// Puts the recording stand-in for wp-cli (fake-wp.sh) on a fresh PATH directory as `wp`.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FAKE_WP_SOURCE = join(import.meta.dirname, 'fake-wp.sh');

/** A directory holding `wp` (to put first on PATH) and an empty store state for it. */
export function fakeWp(): { bin: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'fake-wp-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  mkdirSync(bin);
  mkdirSync(state);
  copyFileSync(FAKE_WP_SOURCE, join(bin, 'wp'));
  chmodSync(join(bin, 'wp'), 0o755);
  return { bin, state };
}
