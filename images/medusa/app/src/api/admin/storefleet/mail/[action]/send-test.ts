// POST /admin/storefleet/mail/test { to? }: sends a test e-mail (to the merchant by default) and answers
// with its outcome, failed or not; 409 when the store has no SMTP server.
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { testMail } from '../../../../../mail/order-mail';
import { sendMail } from '../../../../../mail/send';
import { toSend } from '../../../../../mail/sends';
import { fromHeader, isEmail, smtpEnv } from '../../../../../mail/settings';
import { loadStoreMail } from '../../../../../mail/store-mail-settings';

export async function postTest(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const smtp = smtpEnv();
  if (!smtp) {
    res.status(409).json({
      type: 'not_allowed',
      message: "This store has no SMTP server configured (the chart's smtp values), so it sends no e-mail.",
    });
    return;
  }
  const body = (req.body ?? {}) as { to?: unknown };
  if (body.to !== undefined && (typeof body.to !== 'string' || !isEmail(body.to.trim()))) {
    res.status(400).json({ type: 'invalid_data', message: 'to must be a valid e-mail address' });
    return;
  }
  const store = await loadStoreMail(req.scope);
  const to = typeof body.to === 'string' ? body.to.trim() : store.settings.merchant_email;
  if (!isEmail(to)) {
    res
      .status(400)
      .json({ type: 'invalid_data', message: 'the store has no merchant e-mail address: give `to`' });
    return;
  }
  const content = testMail(store.storeName);
  const sent = await sendMail(req.scope, {
    to,
    from: fromHeader(store.settings.sender_name, smtp.from),
    content,
    data: { kind: 'test', subject: content.subject },
  });
  res.json({ send: toSend(sent) });
}
