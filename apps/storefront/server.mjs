// The storefront's static server: zero dependencies, Node >= 22. It serves dist/ from beside this file
// (in the image: /srv/storefront/{server.mjs,dist}); the store's Medusa server has the same host behind
// the ingress, so nothing here proxies.
//   PORT (default 8000), HOST (default 0.0.0.0)
//   GET /healthz -> 200 ok; hashed files under /assets/ are cached for a year; index.html is revalidated;
//   paths without a file extension get index.html (the SPA routes); GET and HEAD only.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const INDEX = join(ROOT, 'index.html');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

function fail(message) {
  console.error(`storefront: ${message}`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? '8000');
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`PORT must be a port number, not "${process.env.PORT}"`);
const host = process.env.HOST || '0.0.0.0';

try {
  if (!(await stat(INDEX)).isFile()) throw new Error();
} catch {
  fail(`${INDEX} is missing: build the storefront (npm run build) and put dist/ beside server.mjs`);
}

function plain(res, status, text, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** The decoded path, or null when it is malformed or tries to leave dist/. */
function safePath(url) {
  const raw = url.split(/[?#]/, 1)[0] ?? '';
  if (!raw.startsWith('/')) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  const file = resolve(ROOT, `.${decoded}`);
  if (file !== ROOT && !file.startsWith(ROOT + sep)) return null;
  return { path: decoded, file };
}

async function fileAt(file) {
  try {
    const info = await stat(file);
    return info.isFile() ? info : null;
  } catch {
    return null;
  }
}

async function sendFile(req, res, file, info, cacheControl) {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'last-modified': info.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  const target = safePath(req.url ?? '/');
  if (!target) {
    plain(res, 400, 'bad request\n');
    return;
  }
  if (target.path === '/healthz') {
    plain(res, 200, 'ok');
    return;
  }
  if (target.path !== '/' && target.path !== '/index.html') {
    const info = await fileAt(target.file);
    if (info) {
      const hashed = target.path.startsWith('/assets/');
      await sendFile(req, res, target.file, info, hashed ? IMMUTABLE : 'public, max-age=0, must-revalidate');
      return;
    }
    if (extname(target.path) !== '') {
      plain(res, 404, 'not found\n');
      return;
    }
  }
  const index = await fileAt(INDEX);
  if (!index) {
    plain(res, 503, 'storefront not built\n');
    return;
  }
  await sendFile(req, res, INDEX, index, 'no-cache');
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) plain(res, 500, 'internal error\n');
    else res.destroy();
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const shown =
    typeof address === 'object' && address ? `${address.address}:${address.port}` : `${host}:${port}`;
  console.log(`storefront: serving ${ROOT} on http://${shown}`);
});

server.on('error', (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));

function shutdown() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
