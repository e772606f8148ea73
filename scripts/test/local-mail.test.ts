// When `npm start` runs no mail catcher, and that a catcher that cannot start only warns. The catcher
// itself is tested in tools/testcluster/test/mail-catcher.test.ts.
import { describe, expect, it } from 'vitest';
import { mailCatcherSkipped, startLocalMail } from '../local-mail.ts';

describe("npm start's mail catcher", () => {
  it("stays off for MAIL_CATCHER=off and for a relay of the user's own", () => {
    expect(mailCatcherSkipped({ MAIL_CATCHER: 'off' })).toBe('MAIL_CATCHER=off');
    expect(mailCatcherSkipped({ SMTP_HOST: 'smtp.example.com' })).toMatch(/SMTP_HOST=smtp\.example\.com/);
    expect(mailCatcherSkipped({})).toBeUndefined();
  });

  it('says why and starts nothing when it is off', async () => {
    const lines: string[] = [];
    const mail = await startLocalMail('/nonexistent/mailpit', (line) => lines.push(line), {
      SMTP_HOST: 'smtp.example.com',
    });
    expect(mail).toBeUndefined();
    expect(lines).toEqual(['no mail catcher: the stores send through SMTP_HOST=smtp.example.com']);
  });

  it('warns and goes on without it when it cannot start (here: a port that is no port)', async () => {
    const lines: string[] = [];
    const mail = await startLocalMail('/nonexistent/mailpit', (line) => lines.push(line), {
      MAIL_CATCHER_SMTP_PORT: 'smtp',
    });
    expect(mail).toBeUndefined();
    expect(lines.join('\n')).toMatch(
      /no mail catcher, so the stores have no SMTP relay.*MAIL_CATCHER_SMTP_PORT is "smtp"/,
    );
  });
});
