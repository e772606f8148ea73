// A small HTTP client for talking to a store through its ingress: it can connect to another address
// than the URL's host (k3d publishes the ingress on 127.0.0.1) while sending the store's Host header,
// and it keeps cookies (WordPress logins, WooCommerce sessions) in a jar.
import { type IncomingHttpHeaders, request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';

export interface Site {
  /** The store's own URL, e.g. http://acme.localhost */
  url: URL;
  /** Where to connect instead of the URL's host and port (the ingress controller). */
  connect?: { host: string; port: number };
  /** Accept a certificate that does not verify (staging issuers, self-signed). */
  insecure?: boolean;
  cookies: Map<string, string>;
}

export interface SiteResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface SiteRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json) or a form (sent as application/x-www-form-urlencoded). */
  json?: unknown;
  form?: Record<string, string>;
}

export function site(url: string, connect?: string, insecure = false): Site {
  const parsed = new URL(url);
  let target: Site['connect'];
  if (connect) {
    const [host, port] = connect.split(':');
    target = { host: host || '127.0.0.1', port: Number(port) || defaultPort(parsed) };
  } else if (parsed.hostname.endsWith('.localhost')) {
    // *.localhost is this machine, but not every resolver knows it.
    target = { host: '127.0.0.1', port: defaultPort(parsed) };
  }
  return { url: parsed, connect: target, insecure, cookies: new Map() };
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export function send(target: Site, path: string, options: SiteRequest = {}): Promise<SiteResponse> {
  const url = new URL(path, target.url);
  const headers: Record<string, string> = { accept: 'application/json, text/html;q=0.9', ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  if (target.cookies.size > 0) {
    headers.cookie = [...target.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  headers.host = url.host;
  const tls = url.protocol === 'https:';
  const request = tls ? tlsRequest : plainRequest;
  return new Promise((resolve, reject) => {
    const call = request(
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        host: target.connect?.host ?? url.hostname,
        port: target.connect?.port ?? defaultPort(url),
        path: `${url.pathname}${url.search}`,
        headers,
        ...(tls ? { servername: url.hostname, rejectUnauthorized: !target.insecure } : {}),
        timeout: 60_000,
      },
      (response) => {
        keepCookies(target, response.headers['set-cookie']);
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
      },
    );
    call.on('timeout', () => call.destroy(new Error(`${url} did not answer within 60s`)));
    call.on('error', reject);
    call.end(body);
  });
}

function keepCookies(target: Site, setCookie: string[] | undefined): void {
  for (const cookie of setCookie ?? []) {
    const [pair = '', ...attributes] = cookie.split(';');
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || /=deleted$/.test(pair);
    if (expired) target.cookies.delete(name);
    else target.cookies.set(name, pair.slice(at + 1).trim());
  }
}

export function header(response: SiteResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON body of a response with the expected status, or an error that shows what came instead. */
export function expectJson<T>(response: SiteResponse, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected HTTP ${status}, got ${response.status}: ${response.text.slice(0, 600)}`,
    );
  }
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new Error(`${what}: the answer is not JSON: ${response.text.slice(0, 300)}`);
  }
}
