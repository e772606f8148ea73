// The store's mail settings, kept in the Medusa store's metadata (`storefleet_mail`), with defaults:
// the merchant is the store's first admin user, the sender its name.
import type { IStoreModuleService, IUserModuleService, MedusaContainer } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { type MailSettings, resolveSettings, SETTINGS_KEY } from './settings';

export interface StoreMail {
  storeId: string;
  storeName: string;
  settings: MailSettings;
}

async function loadStore(container: MedusaContainer) {
  const stores = container.resolve<IStoreModuleService>(Modules.STORE);
  const [store] = await stores.listStores({}, { take: 1, order: { created_at: 'ASC' } });
  if (!store) throw new Error('the store has no Medusa store yet: its setup job has not run');
  return store;
}

export async function loadStoreMail(container: MedusaContainer): Promise<StoreMail> {
  const store = await loadStore(container);
  const users = container.resolve<IUserModuleService>(Modules.USER);
  const [admin] = await users.listUsers({}, { take: 1, order: { created_at: 'ASC' } });
  const storeName = store.name || 'Store';
  return {
    storeId: store.id,
    storeName,
    settings: resolveSettings(store.metadata?.[SETTINGS_KEY], {
      merchant_email: admin?.email ?? '',
      sender_name: storeName,
    }),
  };
}

/** Stores the fields given; a field never set keeps following its default. */
export async function saveStoreMail(
  container: MedusaContainer,
  change: Partial<MailSettings>,
): Promise<MailSettings> {
  const stores = container.resolve<IStoreModuleService>(Modules.STORE);
  const store = await loadStore(container);
  const saved = store.metadata?.[SETTINGS_KEY];
  const stored = { ...(saved && typeof saved === 'object' ? saved : {}), ...change };
  await stores.updateStores(store.id, { metadata: { ...(store.metadata ?? {}), [SETTINGS_KEY]: stored } });
  return (await loadStoreMail(container)).settings;
}
