// A store's e-mail and the local mail catcher: the API calls and their queries. Sends happen in the
// store without an event, so the store's list is refreshed every few seconds while its panel is open.
import {
  CaughtMailList,
  CaughtMailMessage,
  MailSend,
  MailSettings,
  type Store,
  StoreMail,
  type UpdateMailSettingsRequest,
} from '@storefleet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.ts';

const path = (storeId: string, rest = '') => `/api/stores/${encodeURIComponent(storeId)}/mail${rest}`;

export const mailApi = {
  status: (storeId: string) => request(path(storeId), StoreMail),
  updateSettings: (storeId: string, body: UpdateMailSettingsRequest) =>
    request(path(storeId, '/settings'), MailSettings, { method: 'PUT', body }),
  sendTest: (storeId: string, to?: string) =>
    request(path(storeId, '/test'), MailSend, { method: 'POST', body: to ? { to } : {} }),
  mailbox: () => request('/api/mailbox', CaughtMailList),
  message: (id: string) => request(`/api/mailbox/${encodeURIComponent(id)}`, CaughtMailMessage),
};

const key = (storeId: string) => ['store', storeId, 'mail'] as const;
export const MAIL_POLL_MS = 5_000;

export function useStoreMail(store: Store) {
  return useQuery({
    queryKey: key(store.id),
    queryFn: () => mailApi.status(store.id),
    enabled: store.state === 'Ready',
    refetchInterval: MAIL_POLL_MS,
    retry: false,
  });
}

export function useMailSettings(storeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateMailSettingsRequest) => mailApi.updateSettings(storeId, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: key(storeId) }),
  });
}

export function useTestMail(storeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (to?: string) => mailApi.sendTest(storeId, to),
    onSettled: () => void client.invalidateQueries({ queryKey: key(storeId) }),
  });
}

export function useMailbox() {
  return useQuery({ queryKey: ['mailbox'], queryFn: mailApi.mailbox, refetchInterval: MAIL_POLL_MS });
}

export function useCaughtMessage(id: string | undefined) {
  return useQuery({
    queryKey: ['mailbox', id],
    queryFn: () => mailApi.message(id ?? ''),
    enabled: id !== undefined,
  });
}
