// GET /admin/storefleet/mail?limit=20: whether the store can send e-mail, its mail settings, and its
// latest e-mails (newest first). Medusa lets only a signed-in admin user reach /admin routes.
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { INotificationModuleService } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { toSend } from '../../../../mail/sends';
import { fromHeader, smtpEnv } from '../../../../mail/settings';
import { loadStoreMail } from '../../../../mail/store-mail-settings';

export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const raw = req.query.limit;
  const limit = raw === undefined ? 20 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    res.status(400).json({ type: 'invalid_data', message: 'limit must be a whole number from 1 to 100' });
    return;
  }
  const notifications = req.scope.resolve<INotificationModuleService>(Modules.NOTIFICATION);
  const [store, latest] = await Promise.all([
    loadStoreMail(req.scope),
    notifications.listNotifications({ channel: 'email' }, { take: limit, order: { created_at: 'DESC' } }),
  ]);
  const smtp = smtpEnv();
  res.setHeader('Cache-Control', 'no-store');
  res.json({
    configured: Boolean(smtp),
    from: smtp ? fromHeader(store.settings.sender_name, smtp.from) : null,
    settings: store.settings,
    sends: latest.map(toSend),
  });
}
