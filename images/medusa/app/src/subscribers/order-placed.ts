// After an order is placed: its confirmation to the shopper and a notice to the merchant. The order
// stands whatever happens here; a failed send stays visible on its notification (GET /admin/storefleet/mail).
import type { SubscriberArgs, SubscriberConfig } from '@medusajs/framework';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { loadOrderFacts } from '../mail/order-facts';
import { orderConfirmation, orderNotice } from '../mail/order-mail';
import { sendMail } from '../mail/send';
import { fromHeader, isEmail, smtpEnv } from '../mail/settings';
import { loadStoreMail } from '../mail/store-mail-settings';

export default async function orderPlacedMail({ event, container }: SubscriberArgs<{ id: string }>) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  const orderId = event.data.id;
  try {
    const smtp = smtpEnv();
    if (!smtp) return;
    const [order, store] = await Promise.all([loadOrderFacts(container, orderId), loadStoreMail(container)]);
    if (!order) {
      logger.warn(`mail: order ${orderId} not found, no e-mail sent`);
      return;
    }
    const from = fromHeader(store.settings.sender_name, smtp.from);
    const sends = [];
    if (isEmail(order.email))
      sends.push({
        to: order.email,
        content: orderConfirmation(order, store.storeName),
        kind: 'order-confirmation' as const,
      });
    if (isEmail(store.settings.merchant_email))
      sends.push({
        to: store.settings.merchant_email,
        content: orderNotice(order, store.storeName),
        kind: 'order-notice' as const,
      });
    // One after the other: the relay sees one connection at a time from a store.
    for (const { to, content, kind } of sends) {
      const sent = await sendMail(container, {
        to,
        from,
        content,
        data: { kind, subject: content.subject, order_display_id: order.displayId },
        idempotencyKey: `${kind}:${orderId}`,
        resource: { type: 'order', id: orderId },
      });
      if (sent.status !== 'success')
        logger.warn(`mail: ${kind} of order #${order.displayId} to ${to}: ${sent.status}`);
    }
  } catch (error) {
    logger.error(`mail: the e-mails of order ${orderId} failed: ${(error as Error).message ?? error}`);
  }
}

export const config: SubscriberConfig = { event: 'order.placed' };
