// The store's one-time setup, run by the chart's setup Job after `medusa db:migrate`: the admin user,
// the store's currency, a region, taxes, stock, shipping, the storefront's publishable key and a
// small catalogue. Every step looks before it creates, so running it again changes nothing.
import type { ExecArgs } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules, ProductStatus } from '@medusajs/framework/utils';
import {
  createApiKeysWorkflow,
  createInventoryLevelsWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createStoresWorkflow,
  createTaxRegionsWorkflow,
  createUsersWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from '@medusajs/medusa/core-flows';
import { CATALOGUE, NAMES } from '../catalogue';
import { readSettings } from '../setup-settings';

export default async function setupStore({ container }: ExecArgs): Promise<void> {
  const settings = readSettings();
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const link = container.resolve(ContainerRegistrationKeys.LINK);
  const report = (what: string, created: boolean) =>
    logger.info(`setup: ${created ? 'created' : 'kept'} ${what}`);

  // The admin user and its e-mail/password identity.
  const users = container.resolve(Modules.USER);
  const auth = container.resolve(Modules.AUTH);
  let [user] = await users.listUsers({ email: settings.adminEmail });
  report(`admin user ${settings.adminEmail}`, !user);
  if (!user) {
    const { result } = await createUsersWorkflow(container).run({
      input: { users: [{ email: settings.adminEmail }] },
    });
    user = result[0];
  }
  const credentials = { body: { email: settings.adminEmail, password: settings.adminPassword } };
  let identity = (await auth.register('emailpass', credentials)).authIdentity;
  if (!identity) {
    const login = await auth.authenticate('emailpass', credentials);
    if (!login.success || !login.authIdentity)
      throw new Error(
        `the admin identity ${settings.adminEmail} exists with a password other than the store Secret's: ${login.error ?? 'login refused'}`,
      );
    identity = login.authIdentity;
  }
  if (identity.app_metadata?.user_id !== user.id)
    await auth.updateAuthIdentities({ id: identity.id, app_metadata: { user_id: user.id } });

  // The store itself, its sales channel and its currency.
  const stores = container.resolve(Modules.STORE);
  let [store] = await stores.listStores();
  if (!store) {
    const { result } = await createStoresWorkflow(container).run({
      input: {
        stores: [
          {
            name: settings.storeName,
            supported_currencies: [{ currency_code: settings.currency, is_default: true }],
          },
        ],
      },
    });
    store = result[0];
  }
  const salesChannels = container.resolve(Modules.SALES_CHANNEL);
  let [salesChannel] = await salesChannels.listSalesChannels({ name: NAMES.salesChannel });
  report('sales channel', !salesChannel);
  if (!salesChannel) {
    const { result } = await createSalesChannelsWorkflow(container).run({
      input: { salesChannelsData: [{ name: NAMES.salesChannel }] },
    });
    salesChannel = result[0];
  }

  // The region customers buy in: its countries, currency, system taxes and pay-on-delivery.
  const regions = container.resolve(Modules.REGION);
  let [region] = await regions.listRegions({ name: NAMES.region });
  report(`region (${settings.currency}, ${settings.countries.join(' ')})`, !region);
  if (!region) {
    const { result } = await createRegionsWorkflow(container).run({
      input: {
        regions: [
          {
            name: NAMES.region,
            currency_code: settings.currency,
            countries: settings.countries,
            payment_providers: ['pp_system_default'],
          },
        ],
      },
    });
    region = result[0];
  }
  const taxes = container.resolve(Modules.TAX);
  const taxed = new Set(
    (await taxes.listTaxRegions({ country_code: settings.countries })).map((t) => t.country_code),
  );
  const untaxed = settings.countries.filter((code) => !taxed.has(code));
  report(`tax regions (${untaxed.length} new)`, untaxed.length > 0);
  if (untaxed.length > 0)
    await createTaxRegionsWorkflow(container).run({
      input: untaxed.map((country_code) => ({ country_code, provider_id: 'tp_system' })),
    });

  // Stock and shipping: one warehouse, fulfilled by hand, one flat-rate option.
  const stockLocations = container.resolve(Modules.STOCK_LOCATION);
  let [location] = await stockLocations.listStockLocations({ name: NAMES.location });
  report('stock location', !location);
  if (!location) {
    const { result } = await createStockLocationsWorkflow(container).run({
      input: {
        locations: [
          { name: NAMES.location, address: { address_1: '', city: '', country_code: settings.countries[0] } },
        ],
      },
    });
    location = result[0];
  }
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        name: settings.storeName,
        supported_currencies: [{ currency_code: settings.currency, is_default: true }],
        default_sales_channel_id: salesChannel.id,
        default_region_id: region.id,
        default_location_id: location.id,
      },
    },
  });
  const {
    data: [linked],
  } = await query.graph({
    entity: 'stock_location',
    fields: ['id', 'fulfillment_providers.id', 'fulfillment_sets.id', 'sales_channels.id'],
    filters: { id: location.id },
  });
  const has = (list: unknown, id: string) => Array.isArray(list) && list.some((item) => item?.id === id);
  if (!has(linked?.fulfillment_providers, 'manual_manual'))
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_provider_id: 'manual_manual' },
    });
  if (!has(linked?.sales_channels, salesChannel.id))
    await linkSalesChannelsToStockLocationWorkflow(container).run({
      input: { id: location.id, add: [salesChannel.id] },
    });

  const fulfillment = container.resolve(Modules.FULFILLMENT);
  let [profile] = await fulfillment.listShippingProfiles({ type: 'default' });
  if (!profile) {
    const { result } = await createShippingProfilesWorkflow(container).run({
      input: { data: [{ name: 'Default Shipping Profile', type: 'default' }] },
    });
    profile = result[0];
  }
  let [fulfillmentSet] = await fulfillment.listFulfillmentSets(
    { name: NAMES.fulfillmentSet },
    { relations: ['service_zones'] },
  );
  report('fulfillment set', !fulfillmentSet);
  if (!fulfillmentSet) {
    fulfillmentSet = await fulfillment.createFulfillmentSets({
      name: NAMES.fulfillmentSet,
      type: 'shipping',
      service_zones: [
        {
          name: NAMES.region,
          geo_zones: settings.countries.map((country_code) => ({ country_code, type: 'country' as const })),
        },
      ],
    });
  }
  if (!has(linked?.fulfillment_sets, fulfillmentSet.id))
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
    });
  const [shippingOption] = await fulfillment.listShippingOptions({ name: NAMES.shippingOption });
  report('shipping option', !shippingOption);
  if (!shippingOption) {
    const zone = fulfillmentSet.service_zones?.[0];
    if (!zone) throw new Error(`the fulfillment set ${NAMES.fulfillmentSet} has no service zone`);
    await createShippingOptionsWorkflow(container).run({
      input: [
        {
          name: NAMES.shippingOption,
          price_type: 'flat',
          provider_id: 'manual_manual',
          service_zone_id: zone.id,
          shipping_profile_id: profile.id,
          type: { label: 'Standard', description: 'Delivered in 2–3 days.', code: 'standard' },
          prices: [
            { currency_code: settings.currency, amount: 5 },
            { region_id: region.id, amount: 5 },
          ],
          rules: [
            { attribute: 'enabled_in_store', value: 'true', operator: 'eq' },
            { attribute: 'is_return', value: 'false', operator: 'eq' },
          ],
        },
      ],
    });
  }

  // The key the storefront sends with every Store API call (it reads it at run time).
  const apiKeys = container.resolve(Modules.API_KEY);
  let [publishableKey] = await apiKeys.listApiKeys({ title: NAMES.publishableKey, type: 'publishable' });
  report('publishable key', !publishableKey);
  if (!publishableKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: NAMES.publishableKey, type: 'publishable', created_by: '' }] },
    });
    publishableKey = result[0];
  }
  const {
    data: [keyLinks],
  } = await query.graph({
    entity: 'api_key',
    fields: ['id', 'sales_channels.id'],
    filters: { id: publishableKey.id },
  });
  if (!has(keyLinks?.sales_channels, salesChannel.id))
    await linkSalesChannelsToApiKeyWorkflow(container).run({
      input: { id: publishableKey.id, add: [salesChannel.id] },
    });

  // The catalogue: products that are missing by handle, then stock for items without any here.
  const products = container.resolve(Modules.PRODUCT);
  const existing = new Set(
    (await products.listProducts({ handle: CATALOGUE.map((p) => p.handle) })).map((p) => p.handle),
  );
  const missing = CATALOGUE.filter((product) => !existing.has(product.handle));
  report(`products (${missing.length} of ${CATALOGUE.length} new)`, missing.length > 0);
  if (missing.length > 0)
    await createProductsWorkflow(container).run({
      input: {
        products: missing.map((product) => ({
          title: product.title,
          handle: product.handle,
          description: product.description,
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: profile.id,
          options: [{ title: product.option.title, values: product.option.values }],
          variants: product.option.values.map((value) => ({
            title: value,
            sku: `${product.handle}-${value}`.toUpperCase(),
            options: { [product.option.title]: value },
            manage_inventory: true,
            prices: [{ amount: product.price, currency_code: settings.currency }],
          })),
          sales_channels: [{ id: salesChannel.id }],
        })),
      },
    });
  const { data: items } = await query.graph({
    entity: 'inventory_item',
    fields: ['id', 'location_levels.location_id'],
  });
  type Levels = ({ location_id: string } | null)[];
  const unstocked = items.filter(
    (item) => !((item.location_levels ?? []) as Levels).some((level) => level?.location_id === location.id),
  );
  report(`stock levels (${unstocked.length} new)`, unstocked.length > 0);
  if (unstocked.length > 0)
    await createInventoryLevelsWorkflow(container).run({
      input: {
        inventory_levels: unstocked.map((item) => ({
          location_id: location.id,
          inventory_item_id: item.id,
          stocked_quantity: 100,
        })),
      },
    });
  logger.info(`setup: store "${settings.storeName}" is ready to sell`);
}
