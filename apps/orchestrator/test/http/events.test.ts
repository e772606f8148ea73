import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads server-sent events from a real HTTP connection into `events` until aborted. */
async function subscribe(
  url: string,
  signal: AbortSignal,
  events: SseEvent[],
  auth: Record<string, string>,
): Promise<void> {
  const response = await fetch(url, { signal, headers: { ...auth, accept: 'text/event-stream' } });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
}

describe.each(ENGINES)('live events on %s', (engine) => {
  let test: TestDatabase;
  const platforms: Platform[] = [];

  beforeEach(async () => {
    test = await createTestDatabase(engine);
  });
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    await test.close();
  });

  it("streams every state of a store, including changes made by another replica's workers", async () => {
    const cluster = new MemoryCluster();
    // Replica A serves HTTP with no worker slots doing the work; replica B does the work.
    const a = await startTestPlatform(test.database, cluster, {}, 'replica-a');
    platforms.push(a);
    await a.worker.stop();
    const address = await a.app.listen({ port: 0, host: '127.0.0.1' });

    const events: SseEvent[] = [];
    const controller = new AbortController();
    const owner = await signedIn(a, 'live@example.com');
    await subscribe(`${address}/api/events`, controller.signal, events, owner.headers);
    await waitFor(async () => a.app.server.listening, 'listening');

    const created = await fetch(`${address}/api/stores`, {
      method: 'POST',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Live Shop', engine: 'woocommerce' }),
    });
    const { id } = (await created.json()) as { id: string };
    const storeStates = () =>
      events
        .filter((e) => e.event === 'store' && (e.data as { id: string }).id === id)
        .map((e) => (e.data as { state: string }).state);
    // An event carries the store as it is when the notification arrives: replica B starts only once
    // the Queued one is out, or its worker could have moved the store on before it is read.
    await waitFor(async () => storeStates().length > 0, 'the event of the new store');
    const b = await startTestPlatform(await test.openAnother(), cluster, {}, 'replica-b');
    platforms.push(b);
    await waitFor(
      async () => events.some((e) => e.event === 'store' && (e.data as { state: string }).state === 'Ready'),
      'a Ready event',
    );
    const states = storeStates();
    expect(states[0]).toBe('Queued');
    expect(states).toContain('Provisioning');
    expect(states.at(-1)).toBe('Ready');
    const activityTypes = () =>
      events.filter((e) => e.event === 'activity').map((e) => (e.data as { type: string }).type);
    // The activity row of a change is written just after the change itself.
    await waitFor(async () => activityTypes().includes('store.ready'), 'the store.ready activity event');
    expect(activityTypes()).toEqual(
      expect.arrayContaining(['store.created', 'store.provisioning', 'store.ready']),
    );
    controller.abort();
  });
});
