// Medusa v2 amounts are decimal major units (10 means 10.00 in the currency).
const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const code = currency.toUpperCase();
  let format = formats.get(code);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency: code });
    } catch {
      return `${amount.toFixed(2)} ${code}`;
    }
    formats.set(code, format);
  }
  return format.format(amount);
}
