// The store's e-mail: who shoppers see as the sender, where new-order notices go, "Send a test
// e-mail", and the last sends with their outcome (a failed one with the SMTP server's reason).
import type { MailSend, Store, StoreMail } from '@storefleet/contracts';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiRequestError, errorMessage } from '../../api/client.ts';
import { useMailSettings, useStoreMail, useTestMail } from '../../api/mail.ts';
import { formatDateTime } from '../../lib/format.ts';
import { Empty, LoadError, Loading } from '../states.tsx';
import { TextField } from '../TextField.tsx';
import { Button, Notice, Panel } from '../ui.tsx';

const KIND_WORDS: Record<MailSend['kind'], string> = {
  'order-confirmation': 'Order confirmation',
  'order-notice': 'New-order notice',
  test: 'Test e-mail',
};

const STATUS_TONE: Record<MailSend['status'], string> = {
  sent: 'bg-emerald-100 text-emerald-900',
  failed: 'bg-red-100 text-red-900',
  pending: 'bg-slate-100 text-slate-700',
};

function SettingsForm({ store, mail }: { store: Store; mail: StoreMail }) {
  const [merchantEmail, setMerchantEmail] = useState(mail.settings.merchantEmail);
  const [senderName, setSenderName] = useState(mail.settings.senderName);
  const save = useMailSettings(store.id);
  const changed = merchantEmail !== mail.settings.merchantEmail || senderName !== mail.settings.senderName;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ merchantEmail: merchantEmail.trim(), senderName: senderName.trim() });
  };
  return (
    <form onSubmit={submit} aria-label="E-mail settings" className="flex flex-wrap items-end gap-2">
      <TextField
        label="New-order notices go to"
        type="email"
        value={merchantEmail}
        onChange={setMerchantEmail}
      />
      <TextField label="Sender name" value={senderName} onChange={setSenderName} />
      <Button type="submit" busy={save.isPending} disabled={!changed}>
        Save
      </Button>
      {save.isError ? (
        <Notice tone="error" role="alert" className="w-full">
          {errorMessage(save.error)}
        </Notice>
      ) : null}
    </form>
  );
}

function TestMail({ store, mail }: { store: Store; mail: StoreMail }) {
  const test = useTestMail(store.id);
  const result = test.data;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button busy={test.isPending} disabled={!mail.configured} onClick={() => test.mutate(undefined)}>
        Send a test e-mail
      </Button>
      <span className="text-sm text-slate-600" role="status">
        {test.isError
          ? errorMessage(test.error)
          : result?.status === 'failed'
            ? `Not sent: ${result.error ?? 'no reason given'}`
            : result
              ? `Sent to ${result.to}.`
              : `It goes to ${mail.settings.merchantEmail}.`}
      </span>
    </div>
  );
}

function Sends({ sends }: { sends: MailSend[] }) {
  if (sends.length === 0)
    return <Empty title="Nothing sent yet">The store's first order sends a confirmation and a notice.</Empty>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Last e-mails sent</caption>
      <thead className="text-xs uppercase text-slate-500">
        <tr>
          <th className="py-1 pr-3 font-medium">When</th>
          <th className="py-1 pr-3 font-medium">What</th>
          <th className="py-1 pr-3 font-medium">To</th>
          <th className="py-1 font-medium">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {sends.map((send) => (
          <tr key={send.id} className="border-t border-slate-100 align-top" data-send={send.kind}>
            <td className="py-1 pr-3 whitespace-nowrap">{formatDateTime(send.createdAt)}</td>
            <td className="py-1 pr-3">
              {KIND_WORDS[send.kind]}
              {send.orderNumber === null ? '' : ` #${send.orderNumber}`}
            </td>
            <td className="break-all py-1 pr-3">{send.to}</td>
            <td className="py-1">
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_TONE[send.status]}`}>
                {send.status === 'sent' ? 'Sent' : send.status === 'failed' ? 'Failed' : 'Sending'}
              </span>
              {send.error ? <p className="mt-1 text-xs text-red-800">{send.error}</p> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MailPanel({ store }: { store: Store }) {
  const mail = useStoreMail(store);
  let body: ReactNode;
  if (store.state !== 'Ready')
    body = <p className="text-sm text-slate-600">The store's e-mail shows here while it is Ready.</p>;
  else if (mail.isPending) body = <Loading what="e-mail" />;
  else if (mail.error instanceof ApiRequestError && mail.error.code === 'MAIL_UNSUPPORTED')
    body = <p className="text-sm text-slate-600">{mail.error.message}</p>;
  else if (mail.isError)
    body = <LoadError what="e-mail" error={mail.error} onRetry={() => void mail.refetch()} />;
  else
    body = (
      <div className="space-y-4">
        <p className="text-sm text-slate-600">
          {mail.data.configured
            ? `Order e-mail is sent as ${mail.data.from ?? 'the store'} through the platform's SMTP relay.`
            : 'This platform has no SMTP relay: the store sends no e-mail.'}
        </p>
        <SettingsForm
          key={`${mail.data.settings.merchantEmail}|${mail.data.settings.senderName}`}
          store={store}
          mail={mail.data}
        />
        <TestMail store={store} mail={mail.data} />
        <Sends sends={mail.data.sends} />
      </div>
    );
  return <Panel title="E-mail">{body}</Panel>;
}
