// Small HTTP(S) requests for health checks and the few API calls `up` and `down` make, with the admin
// client certificate; no connection pooling, so a CLI process exits as soon as it is done.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Client certificate and CA; without it, an https server's certificate is not verified. */
  tls?: TlsMaterial;
  timeoutMs?: number;
}

export interface Response {
  status: number;
  body: string;
}

export function request(url: string, options: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        agent: false,
        timeout: options.timeoutMs ?? 5000,
        headers: body
          ? { 'content-type': 'application/json', accept: 'application/json' }
          : { accept: 'application/json' },
        ...(target.protocol === 'https:'
          ? options.tls
            ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key }
            : { rejectUnauthorized: false }
          : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 5000} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** True when the URL answers 2xx; any error counts as not (yet) healthy. */
export async function answers(url: string, tls?: TlsMaterial): Promise<boolean> {
  try {
    const response = await request(url, { tls, timeoutMs: 3000 });
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
