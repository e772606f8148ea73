// One e-mail the store sent (or tried to), as the admin API shows it.
import type { NotificationDTO } from '@medusajs/framework/types';

export type SendKind = 'order-confirmation' | 'order-notice' | 'test';

export interface Send {
  id: string;
  to: string;
  kind: SendKind;
  status: 'pending' | 'success' | 'failure';
  error: string | null;
  subject: string | null;
  order_display_id: number | null;
  created_at: string;
}

/** What the store keeps in a notification's `data` besides what the module stores itself. */
export interface SendData {
  kind: SendKind;
  subject: string;
  order_display_id?: number;
  /** The SMTP server's (or nodemailer's) reason of the last failed attempt. */
  storefleet_error?: string;
  [key: string]: unknown;
}

const KINDS: SendKind[] = ['order-confirmation', 'order-notice', 'test'];

export function toSend(notification: NotificationDTO): Send {
  const data = (notification.data ?? {}) as Partial<SendData>;
  const template = notification.template ?? '';
  const status = notification.status as Send['status'];
  const created = notification.created_at as unknown as Date | string;
  return {
    id: notification.id,
    to: notification.to,
    kind: KINDS.includes(template as SendKind) ? (template as SendKind) : 'test',
    status,
    error: status === 'failure' ? (data.storefleet_error ?? 'the send failed (no reason recorded)') : null,
    subject: typeof data.subject === 'string' ? data.subject : null,
    order_display_id: typeof data.order_display_id === 'number' ? data.order_display_id : null,
    created_at: new Date(created).toISOString(),
  };
}
