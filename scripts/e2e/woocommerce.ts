// A shopper's Cash on Delivery order through the WooCommerce Store API (/wp-json/wc/store/v1), and the
// shop owner's view of it through the WooCommerce REST API (/wp-json/wc/v3) after a WordPress login.
import { expectJson, header, type Site, send } from './http.ts';

interface StoreProduct {
  id: number;
  name: string;
  is_purchasable: boolean;
  is_in_stock: boolean;
  prices: { price: string; currency_code: string; currency_minor_unit: number };
}

interface Cart {
  items_count: number;
  totals: { total_price: string; currency_code: string };
}

interface CheckoutResult {
  order_id: number;
  status: string;
  payment_method: string;
  payment_result: { payment_status: string };
}

export interface AdminOrder {
  id: number;
  status: string;
  payment_method: string;
  total: string;
  line_items: { product_id: number; quantity: number }[];
  billing: { email: string };
}

export interface PlacedOrder {
  orderId: number;
  product: StoreProduct;
  total: string;
  status: string;
}

const ADDRESS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  company: '',
  address_1: '12 Analytical Row',
  address_2: '',
  city: 'San Francisco',
  state: 'CA',
  postcode: '94105',
  country: 'US',
};
export const SHOPPER_EMAIL = 'ada.lovelace@example.test';

export async function placeCashOnDeliveryOrder(shop: Site): Promise<PlacedOrder> {
  const products = expectJson<StoreProduct[]>(
    await send(shop, '/wp-json/wc/store/v1/products?per_page=50'),
    200,
    'list the products (Store API)',
  );
  const product = products.find((p) => p.is_purchasable && p.is_in_stock);
  if (!product) throw new Error(`no purchasable product in stock among ${products.length} products`);

  // An empty cart hands out the tokens that identify it: a Nonce and a Cart-Token.
  const cart = await send(shop, '/wp-json/wc/store/v1/cart');
  expectJson<Cart>(cart, 200, 'open a cart (Store API)');
  const tokens = { Nonce: header(cart, 'nonce') ?? '', 'Cart-Token': header(cart, 'cart-token') ?? '' };
  if (!tokens['Cart-Token']) throw new Error('the Store API answered without a Cart-Token header');

  const added = expectJson<Cart>(
    await send(shop, '/wp-json/wc/store/v1/cart/add-item', {
      headers: tokens,
      json: { id: product.id, quantity: 1 },
    }),
    201,
    `add ${product.name} to the cart (Store API)`,
  );
  if (added.items_count !== 1) throw new Error(`the cart holds ${added.items_count} items, not 1`);

  const checkout = expectJson<CheckoutResult>(
    await send(shop, '/wp-json/wc/store/v1/checkout', {
      headers: tokens,
      json: {
        billing_address: { ...ADDRESS, email: SHOPPER_EMAIL, phone: '555-0100' },
        shipping_address: ADDRESS,
        payment_method: 'cod',
        customer_note: 'Placed by scripts/e2e-order.ts',
      },
    }),
    200,
    'check out with Cash on Delivery (Store API)',
  );
  if (checkout.payment_result.payment_status !== 'success') {
    throw new Error(`checkout payment status is ${checkout.payment_result.payment_status}, not success`);
  }
  return {
    orderId: checkout.order_id,
    product,
    total: `${added.totals.total_price} (minor units of ${added.totals.currency_code})`,
    status: checkout.status,
  };
}

/** Signs in to WordPress as the shop owner and reads the order through the WooCommerce REST API. */
export async function readOrderAsAdmin(
  admin: Site,
  credentials: { username: string; password: string },
  orderId: number,
): Promise<AdminOrder> {
  admin.cookies.set('wordpress_test_cookie', 'WP%20Cookie%20check');
  const login = await send(admin, '/wp-login.php', {
    form: {
      log: credentials.username,
      pwd: credentials.password,
      'wp-submit': 'Log In',
      redirect_to: new URL('/wp-admin/', admin.url).toString(),
      testcookie: '1',
    },
  });
  if (![...admin.cookies.keys()].some((name) => name.startsWith('wordpress_logged_in_'))) {
    throw new Error(`WordPress login as ${credentials.username} failed (HTTP ${login.status})`);
  }
  // Cookie-authenticated REST calls need a wp_rest nonce, which WordPress hands to a logged-in user.
  const nonce = await send(admin, '/wp-admin/admin-ajax.php?action=rest-nonce');
  if (nonce.status !== 200 || !/^[0-9a-f]{10}$/.test(nonce.text.trim())) {
    throw new Error(`no REST nonce for the admin (HTTP ${nonce.status}): ${nonce.text.slice(0, 200)}`);
  }
  return expectJson<AdminOrder>(
    await send(admin, `/wp-json/wc/v3/orders/${orderId}`, { headers: { 'X-WP-Nonce': nonce.text.trim() } }),
    200,
    `read order ${orderId} as the admin (REST API)`,
  );
}
