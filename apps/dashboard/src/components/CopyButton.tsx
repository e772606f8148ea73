import { useState } from 'react';
import { Button } from './ui.tsx';

/** Copies `value` to the clipboard and says for a moment whether it worked. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
    setTimeout(() => setCopied(undefined), 2_000);
  };
  return (
    <Button size="sm" onClick={copy} aria-label={`Copy ${what}`}>
      {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
    </Button>
  );
}
