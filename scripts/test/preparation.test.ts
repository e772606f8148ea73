import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPreparation, servePreparation } from '../preparation.ts';

const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('the start-up preparation', () => {
  it('tracks each step with its time, last line and what is left, and marks a failure', async () => {
    const printed: string[] = [];
    const preparation = createPreparation(['first', 'second', 'third'], (line) => printed.push(line));
    expect(preparation.snapshot().left).toBe(3);
    await preparation.run('first', async (log) => {
      log('compiling');
      log('linked');
    });
    let during: ReturnType<typeof preparation.snapshot> | undefined;
    await expect(
      preparation.run('second', async () => {
        during = preparation.snapshot();
        throw new Error('go build failed');
      }),
    ).rejects.toThrow('go build failed');
    expect(during?.steps.map((s) => s.state)).toEqual(['done', 'running', 'waiting']);
    const view = preparation.snapshot();
    expect(view.steps[0]).toMatchObject({ name: 'first', state: 'done', detail: 'linked' });
    expect(view.steps[0]?.seconds).toBeTypeOf('number');
    expect(view.steps[1]).toMatchObject({ state: 'failed', detail: 'go build failed' });
    expect(view.steps[2]).toMatchObject({ state: 'waiting', seconds: null });
    expect(view).toMatchObject({ left: 1, failed: true });
    expect(printed).toContain('first… (3 steps left)');
    expect(printed).toContain('compiling');
    expect(printed.some((line) => /^second: failed in \d+s$/.test(line))).toBe(true);
  });

  it('serves the page and its progress on the platform port, and 503 for the API until the platform is up', async () => {
    const preparation = createPreparation(['Build the dashboard'], () => {});
    const server = await servePreparation(preparation, 0, '127.0.0.1');
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const page = await fetch(`${base}/stores/abc`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Storefleet is starting');

    const progress = await fetch(`${base}/api/preparation`);
    expect(progress.headers.get('content-type')).toBe('application/json');
    expect(await progress.json()).toEqual({
      steps: [{ name: 'Build the dashboard', state: 'waiting', seconds: null, detail: '' }],
      left: 1,
      failed: false,
    });

    const api = await fetch(`${base}/api/stores`);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('STARTING');
  });
});
