// The mail catcher as `npm start` runs it: the pinned Mailpit (built from the Go module proxy on first
// use) on free loopback ports takes a real SMTP message, the API client reads it back and empties it,
// and stop() closes the SMTP port. Skipped, with the reason, only where Mailpit cannot be built.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingBinariesError, resolveMailpit } from '../src/binaries.ts';
import { type Endpoint, type MailCatcher, smtpGreets, startMailCatcher } from '../src/mail-catcher.ts';
import { mailCatcherClient } from '../src/mail-catcher-api.ts';

const binary = await resolveMailpit({ build: true }).catch((error: unknown) => {
  if (error instanceof MissingBinariesError) return error;
  throw error;
});
const unbuildable = binary instanceof MissingBinariesError ? binary.message : undefined;

/** One message over plain SMTP: each command waits for its reply code. */
async function sendMail(server: Endpoint, mail: { from: string; to: string; subject: string; text: string }) {
  const socket = connect({ host: server.host, port: server.port });
  socket.setEncoding('utf8');
  let buffer = '';
  const replies: ((reply: string) => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    // A reply ends with a line whose code is followed by a space (earlier lines have a dash).
    let end = /^\d{3} .*\r\n/m.exec(buffer);
    while (end) {
      const reply = buffer.slice(0, end.index + end[0].length);
      buffer = buffer.slice(reply.length);
      replies.shift()?.(reply);
      end = /^\d{3} .*\r\n/m.exec(buffer);
    }
  });
  const expectReply = (code: string) =>
    new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      replies.push((reply) => {
        const last = reply.trimEnd().split('\r\n').at(-1) ?? '';
        if (last.startsWith(code)) resolve();
        else reject(new Error(`SMTP: wanted ${code}, got ${reply.trim()}`));
      });
    });
  const command = async (line: string, code: string) => {
    const reply = expectReply(code);
    socket.write(`${line}\r\n`);
    await reply;
  };
  try {
    await expectReply('220');
    await command('EHLO storefleet.test', '250');
    await command(`MAIL FROM:<${mail.from}>`, '250');
    await command(`RCPT TO:<${mail.to}>`, '250');
    await command('DATA', '354');
    const message = [
      `From: Cube Shop <${mail.from}>`,
      `To: ${mail.to}`,
      `Subject: ${mail.subject}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      mail.text,
    ].join('\r\n');
    await command(`${message}\r\n.`, '250');
    await command('QUIT', '221');
  } finally {
    socket.destroy();
  }
}

const title = unbuildable ? `mail catcher (skipped: ${unbuildable})` : 'mail catcher (Mailpit)';

describe.skipIf(unbuildable)(title, () => {
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = await startMailCatcher({
      binary: binary as string,
      smtp: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
    });
  });
  afterAll(() => catcher?.stop());

  it('starts on free ports, both answering', async () => {
    expect(catcher.smtpAddress.port).toBeGreaterThan(0);
    expect(catcher.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await smtpGreets(catcher.smtpAddress)).toBe(true);
    expect(await mailCatcherClient(catcher.apiUrl).messages()).toEqual([]);
  });

  it('keeps a message sent over SMTP, and the client reads it back and empties the box', async () => {
    const client = mailCatcherClient(catcher.apiUrl);
    await sendMail(catcher.smtpAddress, {
      from: 'orders@cube-shop.localhost',
      to: 'ada@example.test',
      subject: 'Your order #1001 is confirmed',
      text: 'Thank you for your order of 2 cubes.',
    });
    let list = await client.messages();
    for (let i = 0; list.length === 0 && i < 50; i++) {
      await sleep(100);
      list = await client.messages();
    }
    expect(list).toHaveLength(1);
    const [summary] = list;
    expect(summary?.subject).toBe('Your order #1001 is confirmed');
    expect(summary?.to).toEqual([{ name: '', address: 'ada@example.test' }]);
    expect(summary?.from).toEqual({ name: 'Cube Shop', address: 'orders@cube-shop.localhost' });
    expect(Number.isNaN(Date.parse(summary?.created ?? ''))).toBe(false);

    const message = await client.message(summary?.id ?? '');
    expect(message.subject).toBe('Your order #1001 is confirmed');
    expect(message.to.map((to) => to.address)).toEqual(['ada@example.test']);
    expect(message.text.trim()).toBe('Thank you for your order of 2 cubes.');
    expect(message.html).toBe('');

    await client.deleteAll();
    expect(await client.messages()).toEqual([]);
    await expect(client.message(summary?.id ?? '')).rejects.toThrow(/404/);
  });

  it('refuses a port that is taken, saying which', async () => {
    await expect(
      startMailCatcher({
        binary: binary as string,
        smtp: catcher.smtpAddress,
        http: { host: '127.0.0.1', port: 0 },
      }),
    ).rejects.toThrow(`SMTP address ${catcher.smtpAddress.host}:${catcher.smtpAddress.port} is in use`);
  });

  it('stop() stops it: the SMTP port refuses connections, and a second stop() is harmless', async () => {
    await catcher.stop();
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(catcher.smtpAddress);
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    await catcher.stop();
  });
});
