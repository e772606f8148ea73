// GET /api/events: server-sent events. `store` events carry the whole store after every change,
// `activity` events each new activity entry; a comment every 15 s keeps proxies from closing the stream.

import { z } from 'zod';
import type { HubEvent } from '../../app/event-hub.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';
import { presentActivity, presentStore } from '../presenters.ts';

const KEEPALIVE_MS = 15_000;

/** The 200 answer: a stream that does not end, of `store` and `activity` events (not JSON). */
const SSE_STREAM = {
  description: 'A text/event-stream of `store` events (a Store) and `activity` events (an ActivityEntry).',
  content: { 'text/event-stream': { schema: z.string() } },
};

export function eventRoutes({ app, services, presentation }: HttpContext): void {
  app.get(
    '/api/events',
    {
      // The 200 answer is a plain stream written by hand, not JSON: errors are serialized as they are.
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        summary: 'Live store changes as server-sent events (text/event-stream)',
        tags: ['stores'],
        response: { 200: SSE_STREAM, ...errorResponses({ access: 'user' }) },
      },
    },
    (request, reply) => {
      const actor = requireActor(request);
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      stream.write('retry: 3000\n: connected\n\n');

      const send = (event: HubEvent) => {
        if (actor.role !== 'admin' && event.ownerId !== actor.userId) return;
        const data =
          event.type === 'store' ? presentStore(event.store, presentation) : presentActivity(event.entry);
        stream.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const unsubscribe = services.hub.subscribe(send);
      const keepalive = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS);
      request.raw.on('close', () => {
        clearInterval(keepalive);
        unsubscribe();
      });
    },
  );
}
