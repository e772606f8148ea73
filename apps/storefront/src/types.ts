// The parts of Medusa v2's Store API (and of our GET /storefront/config) that the storefront reads.
// Amounts are decimal major units: 12.5 means 12.50.

export interface Country {
  iso_2: string;
  display_name: string;
}

export interface StorefrontConfig {
  publishableKey: string;
  storeName: string;
  region: { id: string; name: string; currency_code: string; countries: Country[] };
}

export interface ProductOption {
  id: string;
  title: string;
  values?: { value: string }[];
}

export interface Variant {
  id: string;
  title: string | null;
  options?: { option_id: string | null; value: string }[] | null;
  calculated_price?: { calculated_amount: number | null; currency_code: string | null } | null;
  inventory_quantity?: number | null;
  manage_inventory?: boolean | null;
  allow_backorder?: boolean | null;
}

export interface Product {
  id: string;
  title: string;
  handle: string;
  description: string | null;
  thumbnail: string | null;
  options?: ProductOption[] | null;
  variants?: Variant[] | null;
}

export interface LineItem {
  id: string;
  title: string;
  product_title?: string | null;
  product_handle?: string | null;
  variant_id?: string | null;
  variant_title?: string | null;
  thumbnail?: string | null;
  quantity: number;
  unit_price: number;
  subtotal?: number | null;
  total?: number | null;
}

export interface Address {
  first_name?: string | null;
  last_name?: string | null;
  address_1?: string | null;
  city?: string | null;
  postal_code?: string | null;
  country_code?: string | null;
}

export interface Cart {
  id: string;
  region_id?: string | null;
  currency_code: string;
  email?: string | null;
  items?: LineItem[] | null;
  shipping_address?: Address | null;
  shipping_methods?: { shipping_option_id?: string | null }[] | null;
  item_subtotal?: number | null;
  subtotal?: number | null;
  shipping_total?: number | null;
  tax_total?: number | null;
  total?: number | null;
  completed_at?: string | null;
}

export interface ShippingOption {
  id: string;
  name: string;
  amount: number | null;
  calculated_price?: { calculated_amount: number | null } | null;
}

export interface Order {
  id: string;
  display_id: number;
  email?: string | null;
  currency_code: string;
  items?: LineItem[] | null;
  total: number;
}

export type CompleteResult = { type: 'order'; order: Order } | { type: 'cart'; error?: unknown };
