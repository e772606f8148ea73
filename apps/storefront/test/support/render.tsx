import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vi } from 'vitest';
import { App } from '../../src/App.tsx';
import { FakeMedusa } from './fake-medusa.ts';

/** The storefront at `path` against a fresh fake Medusa behind a fetch stub. */
export function renderShop(
  path = '/',
  setup: (medusa: FakeMedusa, fetch: ReturnType<typeof fakeFetch>) => void = () => {},
) {
  const medusa = new FakeMedusa();
  const fetch = fakeFetch(medusa);
  setup(medusa, fetch);
  vi.stubGlobal('fetch', fetch);
  window.history.replaceState(null, '', path);
  const user = userEvent.setup();
  const view = render(<App />);
  return { medusa, fetch, user, view, screen };
}

const fakeFetch = (medusa: FakeMedusa) => vi.fn(medusa.handle);

/** Fills the checkout form by its labels (Country is an ISO code: the select's value). */
export async function fillCheckout(user: ReturnType<typeof userEvent.setup>, fields: Record<string, string>) {
  await screen.findByRole('heading', { level: 1, name: 'Checkout' });
  for (const [label, value] of Object.entries(fields)) {
    const field = screen.getByLabelText(label);
    if (field instanceof HTMLSelectElement) await user.selectOptions(field, value);
    else await user.type(field, value);
  }
}
