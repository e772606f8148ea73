// Prices, stock and option choices of products as the Store API gives them.
import type { Product, Variant } from './types.ts';

export const variantPrice = (variant: Variant): number | null =>
  variant.calculated_price?.calculated_amount ?? null;

/** The lowest price and whether the variants' prices differ ("from"). */
export function priceRange(product: Product): { amount: number; varies: boolean } | null {
  const prices = (product.variants ?? []).map(variantPrice).filter((p): p is number => p !== null);
  if (prices.length === 0) return null;
  const amount = Math.min(...prices);
  return { amount, varies: prices.some((p) => p !== amount) };
}

/** How many can be bought; undefined when unlimited or not known. */
export function stockOf(variant: Variant): number | undefined {
  if (variant.manage_inventory === false || variant.allow_backorder === true) return undefined;
  const quantity = variant.inventory_quantity;
  return typeof quantity === 'number' ? Math.max(0, quantity) : undefined;
}

export type Choice = Record<string, string>;

const optionValueOf = (variant: Variant, optionId: string) =>
  variant.options?.find((option) => option.option_id === optionId)?.value;

export function choiceOf(product: Product, variant: Variant | undefined): Choice {
  const choice: Choice = {};
  if (!variant) return choice;
  for (const option of product.options ?? []) {
    const value = optionValueOf(variant, option.id);
    if (value !== undefined) choice[option.id] = value;
  }
  return choice;
}

export function findVariant(product: Product, choice: Choice): Variant | undefined {
  const options = product.options ?? [];
  return (product.variants ?? []).find((variant) =>
    options.every((option) => optionValueOf(variant, option.id) === choice[option.id]),
  );
}

/** The variant shown first: the first one in stock, else the first. */
export function firstVariant(product: Product): Variant | undefined {
  const variants = product.variants ?? [];
  return variants.find((variant) => stockOf(variant) !== 0) ?? variants[0];
}

/** The option's values in the product's order, or those of its variants when the option lists none. */
export function optionValues(product: Product, optionId: string): string[] {
  const listed = product.options?.find((option) => option.id === optionId)?.values?.map((v) => v.value) ?? [];
  const used = (product.variants ?? []).flatMap((variant) => {
    const value = optionValueOf(variant, optionId);
    return value === undefined ? [] : [value];
  });
  return [...new Set([...listed, ...used])];
}
