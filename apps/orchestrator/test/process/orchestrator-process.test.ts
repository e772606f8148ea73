// Runs the orchestrator the way `npm run orchestrator` does: a real process on the embedded database.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signUpOverHttp } from '../support/http-account.ts';
import {
  exitOf,
  killGroups,
  MAIN,
  type OrchestratorProcess,
  startOrchestratorProcess,
} from '../support/orchestrator-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-process-'));
const children: ChildProcess[] = [];

afterAll(() => {
  killGroups(children);
  rmSync(dataDir, { recursive: true, force: true });
});

async function startOrchestrator(env: Record<string, string>): Promise<OrchestratorProcess> {
  const started = await startOrchestratorProcess({ PORT: '0', DATA_DIR: dataDir, ...env });
  children.push(started.child);
  return started;
}

describe('the orchestrator process', () => {
  // Two real processes, one after the other, each starting Node and opening PGlite.
  it('serves the API on the embedded database, fails stores with "no cluster" and keeps them across a restart', {
    timeout: 90_000,
  }, async () => {
    const first = await startOrchestrator({});
    expect((await fetch(`${first.address}/readyz`)).status).toBe(200);
    const auth = await signUpOverHttp(first.address, 'process@example.com');
    const created = await fetch(`${first.address}/api/stores`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Process Shop', engine: 'woocommerce' }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };

    let store: { state: string; failure: { reason: string; message: string } | null } | undefined;
    for (let i = 0; i < 100 && store?.state !== 'Failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      store = (await (
        await fetch(`${first.address}/api/stores/${id}`, { headers: auth })
      ).json()) as typeof store;
    }
    expect(store?.failure?.reason).toBe('ClusterNotConfigured');
    expect(store?.failure?.message).toMatch(/No Kubernetes cluster is configured: set KUBECONFIG/);
    expect(first.output()).toMatch(/No Kubernetes cluster is configured/);

    first.child.kill('SIGTERM');
    expect(await exitOf(first.child)).toBe(0);

    const second = await startOrchestrator({});
    const again = await (await fetch(`${second.address}/api/stores/${id}`, { headers: auth })).json();
    expect(again).toMatchObject({ id, name: 'Process Shop', state: 'Failed' });
    second.child.kill('SIGTERM');
    expect(await exitOf(second.child)).toBe(0);
  });

  it('refuses to start on a bad setting, naming the variable and the accepted form', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: 'http', PROVISION_TIMEOUT: 'soon', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    expect(await exitOf(child)).toBe(2);
    expect(stderr).toContain('PORT="http": expected a whole number from 0 to 65535');
    expect(stderr).toContain('PROVISION_TIMEOUT="soon": expected a duration such as "15m"');
  });
});
