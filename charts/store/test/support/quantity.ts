// Kubernetes resource quantities as numbers: CPU in millicores, memory and storage in bytes.
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function quantity(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|m|k|M|G|T)?$/.exec(text);
  if (!match) throw new Error(`not a quantity: ${text}`);
  const unit = match[2] ?? '';
  return Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
}

/** CPU in millicores. */
export function millicores(text: string): number {
  return Math.round(quantity(text) * 1000);
}
