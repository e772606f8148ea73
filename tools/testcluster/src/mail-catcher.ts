// The local mail catcher: Mailpit (built like the node's binaries) taking any mail on an SMTP address
// and showing it on an HTTP API, its messages in a temporary database removed on stop. `npm start`
// gives it to the stores as their SMTP relay; tests start their own. Only the API (/api/v1) and SMTP
// serve: Mailpit's web UI is not in the module it is built from.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { answers } from './http.ts';
import { formatDuration, type Log, silentLog } from './log.ts';
import { freePorts, portFree } from './ports.ts';

export interface Endpoint {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface MailCatcherOptions {
  /** The Mailpit binary: resolveMailpit() or resolveNodeBinaries().mailpit. */
  binary: string;
  smtp: Endpoint;
  http: Endpoint;
  /** Mailpit's own output (errors only: it runs with --quiet). */
  log?: Log;
  timeoutMs?: number;
}

export interface MailCatcher {
  smtpAddress: Endpoint;
  /** Where its HTTP API answers, e.g. http://127.0.0.1:8025 (the API under /api/v1). */
  apiUrl: string;
  /** SIGTERM (SIGKILL after 5 s), then the messages are removed. Safe to call twice. */
  stop(): Promise<void>;
}

/** Mailpit did not start: an address was taken, it exited, or it did not answer in time. */
export class MailCatcherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailCatcherError';
  }
}

/** `host:port`, with IPv6 addresses in brackets. */
export function hostPort({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True when an SMTP server greets (220) at the endpoint. */
export function smtpGreets(endpoint: Endpoint, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('220')));
  });
}

async function withPort(endpoint: Endpoint): Promise<Endpoint> {
  if (endpoint.port !== 0) return endpoint;
  const [port] = await freePorts(1, endpoint.host);
  return { host: endpoint.host, port: port as number };
}

/** The environment without Mailpit's MP_* settings, which would override its flags. */
function mailpitEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MP_')));
}

export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const picksPorts = options.smtp.port === 0 || options.http.port === 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // A picked port can be taken between picking and binding it; asked-for ports are not retried.
      const lost = picksPorts && /\bin use\b/.test((error as Error).message);
      if (!lost || attempt >= 3) throw error;
    }
  }
}

async function startOnce(options: MailCatcherOptions): Promise<MailCatcher> {
  const log = options.log ?? silentLog;
  const smtp = await withPort(options.smtp);
  const http = await withPort(options.http);
  for (const [endpoint, what] of [
    [smtp, 'SMTP'],
    [http, 'HTTP API'],
  ] as const) {
    // Checked first: an older catcher on the port would otherwise answer for this one.
    if (!(await portFree(endpoint.host, endpoint.port))) {
      throw new MailCatcherError(
        `the mail catcher's ${what} address ${hostPort(endpoint)} is in use or cannot be bound`,
      );
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'storefleet-mailpit-'));
  const args = [
    '--smtp',
    hostPort(smtp),
    '--listen',
    hostPort(http),
    '--database',
    join(dataDir, 'mailpit.db'),
    // Stores may log in (any name and password, over plain SMTP): the catcher takes all mail.
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    // No outside traffic: no reverse DNS of senders, no release check on GET /api/v1/info.
    '--smtp-disable-rdns',
    '--disable-version-check',
    '--quiet',
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: mailpitEnv() });
  let ready = false;
  let stopped = false;
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      // Its goodbye on stop() is no news.
      if (!stopped) log(`mailpit: ${line}`);
    }
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
      // Exit code 0 is its own clean shutdown, e.g. on the terminal's Ctrl-C.
      if (ready && !stopped && code !== 0)
        log(`mailpit exited (${exit}): mail sent to ${hostPort(smtp)} is refused now`);
      resolve();
    });
    child.once('error', (error) => {
      exit = `could not start: ${error.message}`;
      resolve();
    });
  });

  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (exit === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const apiUrl = `http://${hostPort(http)}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  try {
    for (;;) {
      if (exit !== undefined) {
        throw new MailCatcherError(
          `mailpit exited during start-up (${exit}); the end of its output:\n${tail.join('\n') || '(empty)'}`,
        );
      }
      if ((await answers(`${apiUrl}/readyz`)) && (await smtpGreets(smtp))) break;
      if (Date.now() - started > timeoutMs) {
        throw new MailCatcherError(
          `mailpit did not answer on ${hostPort(smtp)} (SMTP) and ${apiUrl} within ` +
            `${formatDuration(timeoutMs)}; the end of its output:\n${tail.join('\n') || '(empty)'}`,
        );
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  ready = true;
  return { smtpAddress: smtp, apiUrl, stop };
}
