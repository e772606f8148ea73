// `npm start`'s mail catcher: on the local cluster's real node, Mailpit takes the stores' mail on the
// node's bridge address (where store pods reach the host), so the confirmation e-mail of a first order
// can be read; the orchestrator gets it as the stores' SMTP relay and MAIL_CATCHER_URL for its page.
// A relay of the user's own (SMTP_HOST) or MAIL_CATCHER=off turns it off; a taken port only warns.
import { type MailCatcher, startMailCatcher } from '../tools/testcluster/src/mail-catcher.ts';
import { GATEWAY } from '../tools/testcluster/src/node/node-layout.ts';

export const DEFAULT_SMTP_PORT = 1025;
export const DEFAULT_HTTP_PORT = 8025;

export interface LocalMail {
  /** For the orchestrator: SMTP_HOST, SMTP_PORT, SMTP_ENCRYPTION, MAIL_CATCHER_URL. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} is "${text}"; use a port number (0 picks a free one)`);
  return value;
}

/** Why no catcher is started, or undefined when one should be. */
export function mailCatcherSkipped(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MAIL_CATCHER === 'off') return 'MAIL_CATCHER=off';
  if (env.SMTP_HOST) return `the stores send through SMTP_HOST=${env.SMTP_HOST}`;
  return undefined;
}

/** Starts the catcher for a real node's stores; undefined (with the reason logged) when there is none. */
export async function startLocalMail(
  binary: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalMail | undefined> {
  const skipped = mailCatcherSkipped(env);
  if (skipped) {
    log(`no mail catcher: ${skipped}`);
    return undefined;
  }
  let catcher: MailCatcher;
  try {
    catcher = await startMailCatcher({
      binary,
      smtp: { host: GATEWAY, port: port(env, 'MAIL_CATCHER_SMTP_PORT', DEFAULT_SMTP_PORT) },
      http: { host: '127.0.0.1', port: port(env, 'MAIL_CATCHER_HTTP_PORT', DEFAULT_HTTP_PORT) },
      log,
    });
  } catch (error) {
    log(
      `no mail catcher, so the stores have no SMTP relay and send no e-mail: ${(error as Error).message} ` +
        '(MAIL_CATCHER_SMTP_PORT and MAIL_CATCHER_HTTP_PORT choose other ports; MAIL_CATCHER=off silences this)',
    );
    return undefined;
  }
  log(
    `the stores' e-mail goes to the mail catcher (Mailpit) on ${GATEWAY}:${catcher.smtpAddress.port}; ` +
      `read it on the dashboard's Mailbox page (its API: ${catcher.apiUrl}/api/v1/messages)`,
  );
  return {
    env: {
      SMTP_HOST: GATEWAY,
      SMTP_PORT: String(catcher.smtpAddress.port),
      SMTP_ENCRYPTION: 'none',
      MAIL_CATCHER_URL: catcher.apiUrl,
    },
    stop: () => catcher.stop(),
  };
}
