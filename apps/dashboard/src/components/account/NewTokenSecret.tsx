// A new token's secret, shown this once: the API keeps only its hash and will not show it again.
import type { CreatedApiToken } from '@storefleet/contracts';
import { useEffect, useId, useRef } from 'react';
import { CopyButton } from '../CopyButton.tsx';
import { Button } from '../ui.tsx';

export function NewTokenSecret({ created, onDone }: { created: CreatedApiToken; onDone: () => void }) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Move focus here, so that keyboard and screen reader users learn the secret appeared.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <section
      aria-labelledby={headingId}
      className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950"
    >
      <h3 id={headingId} ref={headingRef} tabIndex={-1} className="font-semibold outline-none">
        Copy your new token “{created.apiToken.name}” now
      </h3>
      <p>
        <strong>You will not see it again:</strong> Storefleet keeps only a fingerprint of it. Store it
        somewhere safe, such as a password manager or your CI's secrets.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="min-w-0 break-all rounded bg-white px-1.5 py-0.5 font-semibold">
          {created.token}
        </code>
        <CopyButton value={created.token} what="the new token" />
      </div>
      <Button size="sm" onClick={onDone}>
        I have copied it
      </Button>
    </section>
  );
}
