// Builds the dashboard (apps/dashboard/dist, served by the orchestrator at /) when dist is missing
// or older than any of its sources. `npm start` and the browser tests call it; run directly, it
// builds regardless (`npm run build:dashboard`).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const DASHBOARD_DIR = join(REPO, 'apps/dashboard');
export const DASHBOARD_DIST = join(DASHBOARD_DIR, 'dist');

const SOURCES = [
  join(DASHBOARD_DIR, 'src'),
  join(DASHBOARD_DIR, 'index.html'),
  join(DASHBOARD_DIR, 'vite.config.ts'),
  join(DASHBOARD_DIR, 'package.json'),
  join(REPO, 'packages/contracts/src'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function dashboardIsStale(): boolean {
  const index = join(DASHBOARD_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

/** Runs `vite build` into a scratch directory, then swaps it in, so dist is never half-written. */
export async function buildDashboard(log: (line: string) => void = () => {}): Promise<void> {
  const scratch = join(REPO, 'node_modules/.cache', `storefleet-dashboard-${process.pid}-${Date.now()}`);
  mkdirSync(join(REPO, 'node_modules/.cache'), { recursive: true });
  log('building the dashboard (vite build)…');
  const vite = join(REPO, 'node_modules/vite/bin/vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--outDir', scratch, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: DASHBOARD_DIR,
        // Under a test runner NODE_ENV is "test", which would give React's development build.
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
  const old = `${scratch}-old`;
  if (existsSync(DASHBOARD_DIST)) renameSync(DASHBOARD_DIST, old);
  renameSync(scratch, DASHBOARD_DIST);
  rmSync(old, { recursive: true, force: true });
  log('dashboard built');
}

export async function ensureDashboardBuilt(log: (line: string) => void = () => {}): Promise<void> {
  if (dashboardIsStale()) await buildDashboard(log);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDashboard((line) => process.stderr.write(`[dashboard] ${line}\n`));
}
