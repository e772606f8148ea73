import { type FormEvent, useEffect, useState } from 'react';
import { completionError } from '../api.ts';
import { formatMoney } from '../money.ts';
import { rememberOrder } from '../orders.ts';
import { Link, navigate, PageHeading } from '../router.tsx';
import { useCart, useStore } from '../store.tsx';
import type { Cart, ShippingOption } from '../types.ts';
import { itemsSubtotal } from './CartPage.tsx';
import { ItemSummary, Loading, Totals } from './common.tsx';

/** Medusa's built-in payment provider: nothing is charged online, the shopper pays on delivery. */
export const PAY_ON_DELIVERY = 'pp_system_default';

const FIELDS = [
  { name: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
  { name: 'first_name', label: 'First name', type: 'text', autoComplete: 'given-name' },
  { name: 'last_name', label: 'Last name', type: 'text', autoComplete: 'family-name' },
  { name: 'address_1', label: 'Address', type: 'text', autoComplete: 'address-line1' },
  { name: 'city', label: 'City', type: 'text', autoComplete: 'address-level2' },
  { name: 'postal_code', label: 'Postal code', type: 'text', autoComplete: 'postal-code' },
] as const;

type FieldName = (typeof FIELDS)[number]['name'] | 'country_code';
type Form = Record<FieldName, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function initialForm(cart: Cart | null, defaultCountry: string): Form {
  const address = cart?.shipping_address;
  return {
    email: cart?.email ?? '',
    first_name: address?.first_name ?? '',
    last_name: address?.last_name ?? '',
    address_1: address?.address_1 ?? '',
    city: address?.city ?? '',
    postal_code: address?.postal_code ?? '',
    country_code: address?.country_code ?? defaultCountry,
  };
}

function problems(form: Form): string[] {
  const found: string[] = [];
  for (const field of FIELDS) {
    if (!form[field.name].trim()) found.push(`${field.label} is required.`);
  }
  if (form.email.trim() && !EMAIL.test(form.email.trim())) found.push('Email must be an email address.');
  if (!form.country_code) found.push('Country is required.');
  return found;
}

export function CheckoutPage() {
  const cart = useCart();
  if (!cart.ready) return <Loading what="your cart" />;
  if (!cart.cart || (cart.cart.items ?? []).length === 0) {
    return (
      <>
        <PageHeading title="Checkout">Checkout</PageHeading>
        <p>Your cart is empty.</p>
        <p>
          <Link to="/">Continue shopping</Link>
        </p>
      </>
    );
  }
  return <CheckoutForm cart={cart.cart} />;
}

function CheckoutForm({ cart }: { cart: Cart }) {
  const { config, api } = useStore();
  const { change, clear } = useCart();
  const countries = [...config.region.countries].sort((a, b) => a.display_name.localeCompare(b.display_name));
  const [form, setForm] = useState<Form>(() => initialForm(cart, countries[0]?.iso_2 ?? ''));
  const [options, setOptions] = useState<ShippingOption[] | null>(null);
  const [optionsError, setOptionsError] = useState<string | null>(null);
  const [shipping, setShipping] = useState<string>(cart.shipping_methods?.[0]?.shipping_option_id ?? '');
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [invalid, setInvalid] = useState<Set<FieldName>>(new Set());
  const currency = cart.currency_code;
  const country = form.country_code;
  const savedCountry = cart.shipping_address?.country_code ?? '';

  // Shipping options depend on where the parcel goes: tell the cart the country, then ask for them.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload only for another cart or country
  useEffect(() => {
    if (!country) return;
    let live = true;
    setOptionsError(null);
    (async () => {
      if (savedCountry !== country) {
        await change((id) => api.updateCart(id, { shipping_address: { country_code: country } }));
      }
      const found = await api.shippingOptions(cart.id);
      if (!live) return;
      setOptions(found);
      setShipping((current) =>
        found.some((option) => option.id === current)
          ? current
          : found.length === 1
            ? (found[0]?.id ?? '')
            : '',
      );
    })().catch((error: unknown) => {
      if (live) setOptionsError(error instanceof Error ? error.message : String(error));
    });
    return () => {
      live = false;
    };
  }, [cart.id, country]);

  const chosen = options?.find((option) => option.id === shipping);
  const subtotal = itemsSubtotal(cart);
  const total = (cart.total ?? subtotal) - (cart.shipping_total ?? 0) + (chosen?.amount ?? 0);

  const set = (name: FieldName, value: string) => {
    setForm((current) => ({ ...current, [name]: value }));
    if (invalid.has(name)) setInvalid((current) => new Set([...current].filter((n) => n !== name)));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    const found = problems(form);
    if (!shipping) found.push('Choose a shipping option.');
    setInvalid(
      new Set([...FIELDS.map((f) => f.name), 'country_code' as const].filter((name) => !form[name].trim())),
    );
    if (found.length > 0) {
      setErrors(found);
      return;
    }
    setErrors([]);
    setSubmitting(true);
    const address = {
      first_name: form.first_name.trim(),
      last_name: form.last_name.trim(),
      address_1: form.address_1.trim(),
      city: form.city.trim(),
      postal_code: form.postal_code.trim(),
      country_code: form.country_code,
    };
    try {
      await change((id) =>
        api.updateCart(id, { email: form.email.trim(), shipping_address: address, billing_address: address }),
      );
      await change((id) => api.addShippingMethod(id, shipping));
      await api.startPayment(cart.id, PAY_ON_DELIVERY);
      const result = await api.complete(cart.id);
      if (result.type === 'order') {
        rememberOrder(result.order);
        clear();
        navigate(`/order/confirmed/${encodeURIComponent(result.order.id)}`, { replace: true });
        return;
      }
      setErrors([completionError(result.error)]);
    } catch (error) {
      setErrors([error instanceof Error ? error.message : String(error)]);
    }
    setSubmitting(false);
  };

  const fieldProps = (name: FieldName) => ({
    id: `checkout-${name}`,
    value: form[name],
    'aria-invalid': invalid.has(name) || undefined,
    required: true,
  });

  return (
    <>
      <PageHeading title="Checkout">Checkout</PageHeading>
      <div className="checkout">
        <form onSubmit={submit} noValidate className="stack" aria-describedby="checkout-errors">
          <fieldset className="group">
            <legend>Contact and delivery</legend>
            {FIELDS.map((field) => (
              <div className="field" key={field.name}>
                <label htmlFor={`checkout-${field.name}`}>{field.label}</label>
                <input
                  {...fieldProps(field.name)}
                  type={field.type}
                  autoComplete={field.autoComplete}
                  onChange={(event) => set(field.name, event.target.value)}
                />
              </div>
            ))}
            <div className="field">
              <label htmlFor="checkout-country_code">Country</label>
              <select
                {...fieldProps('country_code')}
                autoComplete="country"
                onChange={(event) => set('country_code', event.target.value)}
              >
                {countries.map((c) => (
                  <option key={c.iso_2} value={c.iso_2}>
                    {c.display_name}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>

          <fieldset className="group">
            <legend>Shipping method</legend>
            {optionsError && <p className="message error">Could not load shipping options: {optionsError}</p>}
            {!optionsError && options === null && <p className="muted">Loading shipping options…</p>}
            {options?.length === 0 && <p>No shipping options deliver to this country.</p>}
            {options?.map((option) => (
              <label key={option.id} className="choice wide">
                <input
                  type="radio"
                  name="shipping"
                  value={option.id}
                  checked={shipping === option.id}
                  onChange={() => setShipping(option.id)}
                />
                <span>
                  {option.name} —{' '}
                  {option.amount === null ? 'priced later' : formatMoney(option.amount, currency)}
                </span>
              </label>
            ))}
          </fieldset>

          <fieldset className="group">
            <legend>Payment</legend>
            <label className="choice wide">
              <input type="radio" name="payment" value={PAY_ON_DELIVERY} checked readOnly />
              <span>Pay on delivery</span>
            </label>
          </fieldset>

          <div id="checkout-errors" className="message error" aria-live="assertive">
            {errors.length > 0 && (
              <ul>
                {errors.map((error) => (
                  <li key={error}>{error}</li>
                ))}
              </ul>
            )}
          </div>
          <button type="submit" className="button primary" disabled={submitting} aria-busy={submitting}>
            Place order
          </button>
          <p role="status" className="muted">
            {submitting ? 'Placing your order…' : ''}
          </p>
        </form>

        <section className="summary" aria-labelledby="summary-heading">
          <h2 id="summary-heading">Order summary</h2>
          <ItemSummary items={cart.items ?? []} currency={currency} />
          <Totals
            rows={[
              ['Subtotal', subtotal],
              ['Shipping', chosen?.amount],
            ]}
            total={total}
            currency={currency}
          />
        </section>
      </div>
    </>
  );
}
