// Pebble's challenge test server (Debian's pebble package) as the tests' DNS: its management API sets
// the records a merchant would create (A, CNAME, TXT), and its DNS server answers them. The real node
// runs one beside Pebble; fast tests start their own.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

/** Records of the DNS, by the management API of one challtestsrv (names get their final dot here). */
export class TestDns {
  readonly managementUrl: string;
  readonly server: string;

  constructor(managementUrl: string, server: string) {
    this.managementUrl = managementUrl;
    this.server = server;
  }

  private async post(path: string, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.managementUrl}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`challtestsrv ${path}: ${response.status} ${await response.text()}`);
  }

  cname(host: string, target: string): Promise<void> {
    return this.post('/set-cname', { host: `${host}.`, target: `${target}.` });
  }

  txt(host: string, value: string): Promise<void> {
    return this.post('/set-txt', { host: `${host}.`, value });
  }

  a(host: string, addresses: string[]): Promise<void> {
    return this.post('/add-a', { host: `${host}.`, addresses });
  }

  /** Every query for `host` is answered SERVFAIL (the name's DNS broke). */
  servfail(host: string): Promise<void> {
    return this.post('/set-servfail', { host: `${host}.` });
  }

  async clear(host: string): Promise<void> {
    await this.post('/clear-servfail', { host: `${host}.` });
    await this.post('/clear-a', { host: `${host}.` });
    await this.post('/clear-cname', { host: `${host}.` });
    await this.post('/clear-txt', { host: `_storefleet.${host}.` });
  }

  /** The records a domain of the API asks for, as its merchant would create them. */
  async create(records: { type: string; name: string; value: string }[]): Promise<void> {
    for (const record of records) {
      if (record.type === 'CNAME') await this.cname(record.name, record.value);
      else if (record.type === 'TXT') await this.txt(record.name, record.value);
      else await this.a(record.name, [record.value]);
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A challtestsrv of the test's own (its DNS answers 127.0.0.1 for names without records). */
export async function startTestDns(): Promise<{ dns: TestDns; stop: () => Promise<void> }> {
  if (!existsSync(CHALLTESTSRV))
    throw new Error(
      `${CHALLTESTSRV} is missing: Debian's pebble package provides it (node scripts/setup.mjs installs it)`,
    );
  const [dnsPort, managementPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    CHALLTESTSRV,
    [
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-management',
      `127.0.0.1:${managementPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-defaultIPv6',
      '',
    ],
    { stdio: 'ignore' },
  );
  const dns = new TestDns(`http://127.0.0.1:${managementPort}`, `127.0.0.1:${dnsPort}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${dns.managementUrl}/dns-request-history`, { method: 'POST', body: '{"host":"ready."}' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('challtestsrv did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    dns,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
