// The store's own domains: add one, the DNS records to copy, each domain's live state and certificate,
// "Check now", "Make primary", "Remove", and the reason when something fails or needs attention.
import type { Domain, DomainState, Store } from '@storefleet/contracts';
import { type FormEvent, type ReactNode, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useDomainAction, useDomains } from '../../api/domains.ts';
import { formatDateTime } from '../../lib/format.ts';
import { CopyButton } from '../CopyButton.tsx';
import { Empty, LoadError, Loading } from '../states.tsx';
import { TextField } from '../TextField.tsx';
import { Button, Notice, Panel, Spinner } from '../ui.tsx';

const STATE_WORDS: Record<DomainState, { label: string; tone: string }> = {
  PendingDns: { label: 'Waiting for DNS', tone: 'bg-amber-100 text-amber-900' },
  Verified: { label: 'DNS verified', tone: 'bg-sky-100 text-sky-900' },
  Issuing: { label: 'Issuing certificate', tone: 'bg-sky-100 text-sky-900' },
  Active: { label: 'Active', tone: 'bg-emerald-100 text-emerald-900' },
  Failed: { label: 'Failed', tone: 'bg-red-100 text-red-900' },
};

/** The attention badge says why, so that a failing renewal is not mistaken for a certificate that is merely old. */
const ATTENTION_WORDS: Record<string, string> = {
  RenewalFailed: 'Renewal failing',
  CertificateExpiringSoon: 'Certificate expires soon',
  DefaultCertificate: 'Default certificate served',
  CertificateExpired: 'Certificate expired',
};

function DomainBadge({ domain }: { domain: Domain }) {
  const { label, tone } = STATE_WORDS[domain.state];
  const busy = domain.state === 'Verified' || domain.state === 'Issuing';
  return (
    <span className="inline-flex items-center gap-1.5">
      <span
        className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}
        data-state={domain.state}
      >
        {busy ? <Spinner /> : null}
        {label}
      </span>
      {domain.attention ? (
        <span
          className="rounded-full bg-amber-200 px-2 py-0.5 text-xs font-medium text-amber-900"
          role="status"
          data-attention={domain.attentionReason ?? undefined}
        >
          {ATTENTION_WORDS[domain.attentionReason ?? ''] ?? 'Certificate needs attention'}
        </span>
      ) : null}
      {domain.primary ? (
        <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-900">
          Primary
        </span>
      ) : null}
    </span>
  );
}

function Records({ domain }: { domain: Domain }) {
  return (
    <table className="mt-2 w-full text-left text-sm">
      <caption className="sr-only">DNS records for {domain.displayName}</caption>
      <thead className="text-xs uppercase text-slate-500">
        <tr>
          <th className="py-1 pr-3 font-medium">Type</th>
          <th className="py-1 pr-3 font-medium">Name</th>
          <th className="py-1 pr-3 font-medium">Value</th>
          <th className="py-1" />
        </tr>
      </thead>
      <tbody>
        {domain.records.map((record) => (
          <tr key={`${record.type}-${record.name}`} className="border-t border-slate-100 align-top">
            <td className="py-1 pr-3 font-mono">{record.type}</td>
            <td className="break-all py-1 pr-3 font-mono">{record.name}</td>
            <td className="break-all py-1 pr-3 font-mono">{record.value}</td>
            <td className="py-1 text-right">
              <CopyButton value={record.value} what={`${record.type} value for ${record.name}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DomainItem({ store, domain }: { store: Store; domain: Domain }) {
  const verify = useDomainAction(store.id, 'verify');
  const primary = useDomainAction(store.id, 'primary');
  const remove = useDomainAction(store.id, 'remove');
  const failure = verify.error ?? primary.error ?? remove.error;
  const certificate = domain.certificate;
  return (
    <li className="border-t border-slate-100 py-3 first:border-t-0" data-domain={domain.hostname}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-900">{domain.displayName}</span>
          <DomainBadge domain={domain} />
        </div>
        <div className="flex flex-wrap gap-2">
          {domain.state !== 'Active' ? (
            <Button size="sm" busy={verify.isPending} onClick={() => verify.mutate(domain.id)}>
              Check now
            </Button>
          ) : null}
          {domain.state === 'Active' && !domain.primary ? (
            <Button size="sm" busy={primary.isPending} onClick={() => primary.mutate(domain.id)}>
              Make primary
            </Button>
          ) : null}
          <Button
            size="sm"
            variant="dangerOutline"
            busy={remove.isPending}
            onClick={() => remove.mutate(domain.id)}
          >
            Remove
          </Button>
        </div>
      </div>
      <p
        className={`mt-1 text-sm ${domain.state === 'Failed' ? 'text-red-800' : 'text-slate-600'}`}
        data-reason={domain.reason}
      >
        {domain.message}
      </p>
      {certificate && (domain.state === 'Active' || domain.attention) ? (
        <p className="mt-1 text-xs text-slate-500">
          Certificate: {certificate.issuer ?? 'unknown issuer'}
          {certificate.notAfter ? `, valid until ${formatDateTime(certificate.notAfter)}` : ''}
          {certificate.ready && !domain.attention ? '' : ` — ${certificate.message}`}
        </p>
      ) : null}
      {domain.state === 'PendingDns' || domain.state === 'Failed' ? <Records domain={domain} /> : null}
      {failure ? (
        <Notice tone="error" role="alert" className="mt-2">
          {errorMessage(failure)}
        </Notice>
      ) : null}
    </li>
  );
}

function AddDomainForm({ store }: { store: Store }) {
  const [hostname, setHostname] = useState('');
  const add = useDomainAction(store.id, 'add');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(hostname.trim(), { onSuccess: () => setHostname('') });
  };
  return (
    <form onSubmit={submit} aria-label="Add a domain" className="flex flex-wrap items-end gap-2">
      <TextField
        label="Domain"
        value={hostname}
        onChange={setHostname}
        placeholder="shop.example.com"
        error={add.error ? errorMessage(add.error) : undefined}
      />
      <Button type="submit" variant="primary" busy={add.isPending} disabled={hostname.trim() === ''}>
        Add domain
      </Button>
    </form>
  );
}

export function DomainsPanel({ store }: { store: Store }) {
  const domains = useDomains(store);
  let body: ReactNode;
  if (domains.isPending) body = <Loading what="domains" />;
  else if (domains.isError)
    body = <LoadError what="domains" error={domains.error} onRetry={() => void domains.refetch()} />;
  else if (domains.data.items.length === 0)
    body = (
      <Empty title="No domains yet">
        The store answers at its own address; add your own domain to serve it there too, over HTTPS.
      </Empty>
    );
  else
    body = (
      <ul>
        {domains.data.items.map((domain) => (
          <DomainItem key={domain.id} store={store} domain={domain} />
        ))}
      </ul>
    );
  return (
    <Panel title="Domains">
      <div className="space-y-4">
        <AddDomainForm store={store} />
        {body}
      </div>
    </Panel>
  );
}
