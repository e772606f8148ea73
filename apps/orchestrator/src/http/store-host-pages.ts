// What a store's own URL shows when no store workload answers it: the ingress's default backend is
// the platform, so an asleep store's URL lands here and gets a page saying so, with a button that
// wakes it; while it wakes, the page refreshes itself until the store answers again.
import type { FastifyReply } from 'fastify';
import { AuditRepository } from '../db/audit-repository.ts';
import { isReservedSlug } from '../domain/slug.ts';
import type { Store } from '../domain/store.ts';
import { slugOfStoreHost } from '../domain/urls.ts';
import { PLATFORM_PAGE_HEADER } from '../ingress/store-probe.ts';
import type { App, Services } from './context.ts';

/** The wake button posts here, on the store's own host. */
export const WAKE_PATH = '/.storefleet/wake';

export function registerStoreHostPages(app: App, services: Services, baseDomain: string): void {
  app.addHook('onRequest', async (request, reply) => {
    const slug = slugOfStoreHost(request.headers.host, baseDomain);
    if (!slug || isReservedSlug(slug)) return;
    const store = await services.queries.findLiveBySlug(slug);
    if (request.method === 'POST' && request.url === WAKE_PATH && store?.state === 'Asleep') {
      await services.operations.wake(store, 'visitor');
      await new AuditRepository(services.database.db).append({
        actor: 'visitor',
        actorId: null,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        action: 'store.wake',
        target: store.id,
        outcome: 'success',
        statusCode: 303,
        reason: 'the wake button of its asleep page',
      });
      request.log.info({ storeId: store.id, slug }, 'store woken from its asleep page');
      return reply.redirect('/', 303);
    }
    return page(reply, store);
  });
}

function page(reply: FastifyReply, store: Store | undefined): FastifyReply {
  reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
  if (!store) {
    return reply
      .status(404)
      .header(PLATFORM_PAGE_HEADER, 'missing')
      .send(html('No store here', '<h1>No store here</h1><p>There is no store at this address.</p>'));
  }
  const name = escapeHtml(store.name);
  // Sleeping: the workloads are gone and the ingress has dropped the store's routes; the sleep step
  // waits for visitors to get this page before it calls the store Asleep.
  if (store.state === 'Asleep' || store.state === 'Sleeping') {
    return reply
      .status(503)
      .header(PLATFORM_PAGE_HEADER, 'asleep')
      .header('retry-after', '30')
      .send(
        html(
          `${name} is asleep`,
          `<h1>${name} is asleep</h1>
<p>This store has been put to sleep to save resources. Wake it and it will be back in a minute or so, with everything as it was.</p>
<form method="post" action="${WAKE_PATH}"><button type="submit">Wake the store</button></form>`,
        ),
      );
  }
  const waking = ['Waking', 'Ready'].includes(store.state);
  const what = waking ? `${name} is waking up` : `${name} is not open right now`;
  const detail = waking
    ? 'It will be back shortly; this page reloads itself.'
    : `The store is ${escapeHtml(store.state)}; try again in a few minutes.`;
  return reply
    .status(503)
    .header(PLATFORM_PAGE_HEADER, waking ? 'waking' : 'closed')
    .header('retry-after', '5')
    .send(html(what, `<h1>${what}</h1><p>${detail}</p>`, waking ? 3 : 15));
}

function html(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2933}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#2f5bea;color:#fff;cursor:pointer}</style>
</head><body><main>${body}</main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
