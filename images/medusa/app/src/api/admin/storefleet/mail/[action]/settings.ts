// POST /admin/storefleet/mail/settings { merchant_email?, sender_name? }: changes the store's mail settings.
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { parseSettingsInput } from '../../../../../mail/settings';
import { saveStoreMail } from '../../../../../mail/store-mail-settings';

export async function postSettings(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const input = parseSettingsInput(req.body ?? {});
  if (!input.ok) {
    res.status(400).json({ type: 'invalid_data', message: input.message });
    return;
  }
  res.json({ settings: await saveStoreMail(req.scope, input.value) });
}
