// Which methods each path is served with: a request with another method on a served path is answered
// 405 with Allow, before anything else looks at it.
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

/** The routes served, for `Allow` and 405 on a path served with other methods. */
class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string>; api: boolean }[] = [];

  add(url: string, methods: string[]): void {
    if (url === '*') return; // CORS preflight catch-all
    const source = url
      .split('/')
      .map((segment) =>
        segment.startsWith(':')
          ? '[^/]+'
          : segment === '*'
            ? '.*'
            : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}$`);
    const existing = this.routes.find((route) => route.pattern.source === pattern.source);
    if (existing) for (const method of methods) existing.methods.add(method);
    else this.routes.push({ pattern, methods: new Set(methods), api: !url.includes('*') });
  }

  /** The methods served at `path`, or none when no route matches it. API paths never match the files' catch-all. */
  allowed(path: string): string[] {
    const isApi = path.startsWith('/api/');
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (isApi && !route.api) continue;
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

export function registerMethodTable(app: FastifyInstance): void {
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => {
    routes.add(route.url, Array.isArray(route.method) ? route.method : [route.method]);
  });
  // A method the path is not served with: 405 with Allow, before anything else looks at the request.
  // An API path reached only through the dashboard's catch-all (GET /*) counts as unserved too.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const viaFiles = path.startsWith('/api/') && request.routeOptions.url === '/*';
    if (!request.is404 && !viaFiles) return;
    const allowed = routes.allowed(path);
    if (allowed.length === 0 || allowed.includes(request.method)) return;
    reply.header('allow', allowed.join(', '));
    return sendError(
      request,
      reply,
      405,
      'METHOD_NOT_ALLOWED',
      `${request.method} is not served at ${path}; it answers ${allowed.join(', ')}.`,
      { allowed },
    );
  });
}
