// The local mail catcher's messages (what `npm start`'s stores sent): a list, newest first, and the
// chosen message's text. A merchant sees their stores' mail and their own; an admin sees all.
import type { CaughtMail } from '@storefleet/contracts';
import { type ReactNode, useState } from 'react';
import { useCaughtMessage, useMailbox } from '../api/mail.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Empty, LoadError, Loading } from '../components/states.tsx';
import { Panel } from '../components/ui.tsx';
import { formatDateTime } from '../lib/format.ts';

function Message({ id }: { id: string }) {
  const message = useCaughtMessage(id);
  if (message.isPending) return <Loading what="the message" />;
  if (message.isError) return <LoadError what="the message" error={message.error} />;
  const { from, to, subject, receivedAt, text } = message.data;
  return (
    <article aria-label={subject} className="space-y-2">
      <h2 className="text-base font-semibold text-slate-900">{subject}</h2>
      <p className="text-xs text-slate-600">
        From {from} to {to.join(', ')}, {formatDateTime(receivedAt)}
      </p>
      <pre className="whitespace-pre-wrap rounded bg-slate-50 p-3 text-sm text-slate-800">{text}</pre>
    </article>
  );
}

function MessageList({
  items,
  chosen,
  choose,
}: {
  items: CaughtMail[];
  chosen?: string;
  choose: (id: string) => void;
}) {
  return (
    <ul className="divide-y divide-slate-100">
      {items.map((mail) => (
        <li key={mail.id}>
          <button
            type="button"
            onClick={() => choose(mail.id)}
            aria-current={mail.id === chosen ? 'true' : undefined}
            className="w-full px-2 py-2 text-left hover:bg-slate-50 aria-[current=true]:bg-indigo-50"
          >
            <span className="block truncate text-sm font-medium text-slate-900">{mail.subject}</span>
            <span className="block truncate text-xs text-slate-600">
              To {mail.to.join(', ')} · {formatDateTime(mail.receivedAt)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function MailboxPage() {
  const mailbox = useMailbox();
  const [chosen, setChosen] = useState<string>();
  let body: ReactNode;
  if (mailbox.isPending) body = <Loading what="the mailbox" />;
  else if (mailbox.isError)
    body = <LoadError what="the mailbox" error={mailbox.error} onRetry={() => void mailbox.refetch()} />;
  else if (mailbox.data.items.length === 0)
    body = (
      <Empty title="No mail yet">
        Place an order in one of your stores: its confirmation and the new-order notice arrive here.
      </Empty>
    );
  else
    body = (
      <div className="grid gap-6 lg:grid-cols-[2fr_3fr]">
        <Panel title="Messages">
          <MessageList items={mailbox.data.items} choose={setChosen} {...(chosen ? { chosen } : {})} />
        </Panel>
        <Panel title="Message">
          {chosen ? <Message id={chosen} /> : <p className="text-sm text-slate-600">Choose a message.</p>}
        </Panel>
      </div>
    );
  return (
    <>
      <PageHeading>Mailbox</PageHeading>
      <p className="mb-4 text-sm text-slate-600">
        Mail the stores sent, caught by this platform's local mail catcher instead of being delivered.
      </p>
      {body}
    </>
  );
}
