// server.mjs for real: copied with a dist/ beside it into a temporary folder (as in the image), started
// with only node on a loopback port, and asked over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER = join(import.meta.dirname, '..', 'server.mjs');
const INDEX = '<!doctype html><title>Shop</title><div id="root"></div>';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function ask(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function start(folder: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(folder, 'server.mjs')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    const check = () => {
      const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port) resolve(Number(port));
    };
    child.stdout?.on('data', check);
    exited.then((code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  // a server that is meant to fail never listens: that is no unhandled rejection
  listening.catch(() => {});
  return { child, listening, exited, output: () => output };
}

function siteFolder(withDist = true) {
  const folder = mkdtempSync(join(tmpdir(), 'storefront-server-'));
  copyFileSync(SERVER, join(folder, 'server.mjs'));
  if (withDist) {
    mkdirSync(join(folder, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(folder, 'dist', 'index.html'), INDEX);
    writeFileSync(join(folder, 'dist', 'assets', 'index-Ab12Cd.js'), 'console.log("shop");');
    writeFileSync(join(folder, 'dist', 'assets', 'index-Ef34Gh.css'), 'body{margin:0}');
    writeFileSync(join(folder, 'dist', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  }
  writeFileSync(join(folder, 'secret.txt'), 'not for the web');
  return folder;
}

describe('the storefront server', () => {
  let folder: string;
  let server: ReturnType<typeof start>;
  let port: number;

  beforeAll(async () => {
    folder = siteFolder();
    server = start(folder);
    port = await server.listening;
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers the health check', async () => {
    const answer = await ask(port, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('ok');
  });

  it('serves index.html, revalidated, at / and for app routes without an extension', async () => {
    for (const path of [
      '/',
      '/index.html',
      '/cart',
      '/products/fleet-t-shirt',
      '/order/confirmed/order_1?x=1',
    ]) {
      const answer = await ask(port, path);
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toBe(INDEX);
      expect(answer.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(answer.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('serves hashed assets with their types, cached for a year', async () => {
    const js = await ask(port, '/assets/index-Ab12Cd.js');
    expect(js.status).toBe(200);
    expect(js.body).toBe('console.log("shop");');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-length']).toBe(String('console.log("shop");'.length));
    const css = await ask(port, '/assets/index-Ef34Gh.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await ask(port, '/logo.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).not.toContain('immutable');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await ask(port, '/assets/index-Ab12Cd.js');
    const etag = String(first.headers.etag);
    const again = await ask(port, '/assets/index-Ab12Cd.js', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404 for a missing file with an extension', async () => {
    for (const path of ['/assets/index-missing.js', '/favicon.ico', '/robots.txt']) {
      const answer = await ask(port, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('<div id="root">');
    }
  });

  it('refuses paths that try to leave dist/', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const answer = await ask(port, path);
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).not.toContain('not for the web');
    }
  });

  it('answers HEAD without a body and other methods with 405', async () => {
    const head = await ask(port, '/assets/index-Ab12Cd.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('console.log("shop");'.length));
    const index = await ask(port, '/checkout', 'HEAD');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await ask(port, '/', method);
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }
  });

  it('logs one line when it starts and none per request', async () => {
    await ask(port, '/');
    await ask(port, '/nothing.js');
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^storefront: serving .*dist on http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('the storefront server process', () => {
  const folders: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('exits 0 soon after SIGTERM', async () => {
    const folder = siteFolder();
    folders.push(folder);
    const server = start(folder);
    children.push(server.child);
    const port = await server.listening;
    expect((await ask(port, '/healthz')).status).toBe(200);
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('refuses to start without dist/index.html, saying why', async () => {
    const folder = siteFolder(false);
    folders.push(folder);
    const server = start(folder);
    children.push(server.child);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('index.html is missing');
  });

  it('refuses a PORT that is not a port', async () => {
    const folder = siteFolder();
    folders.push(folder);
    const server = start(folder, { PORT: 'eighty' });
    children.push(server.child);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT must be a port number');
  });
});
