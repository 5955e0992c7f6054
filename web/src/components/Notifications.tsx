import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useAppState, useStore } from '../hooks';
import { formatNumber } from '../i18n';
import { Dialog } from './Attachments';
import { BellIcon } from './Icons';

/** The bell: unread count, the list, and the switch for browser notifications (Web Push). */
export function NotificationsButton({ onOpen }: { onOpen: (conversationId: string) => void }) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const state = useAppState();
  const [open, setOpen] = useState(false);
  const unread = state.notifications.unread;
  const items = state.notifications.items;

  return (
    <>
      <button
        type="button"
        className="bell"
        aria-label={unread ? t('notificationsCount', { count: unread }) : t('notifications')}
        onClick={() => {
          setOpen(true);
          void store.loadNotifications();
        }}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="badge" aria-hidden="true">
            {formatNumber(unread, i18n.language)}
          </span>
        )}
      </button>
      {open && (
        <Dialog label={t('notifications')} onClose={() => setOpen(false)}>
          <h2>{t('notifications')}</h2>
          <PushSwitch />
          <button
            type="button"
            onClick={() => void store.readAllNotifications()}
            disabled={!unread}
          >
            {t('markAllRead')}
          </button>
          {items?.length === 0 && <p>{t('noNotifications')}</p>}
          <ul className="notifications">
            {items?.map((n) => (
              <li key={n.id} className={n.isRead ? '' : 'unread'}>
                <button
                  type="button"
                  className="notification"
                  onClick={() => {
                    setOpen(false);
                    void api.POST('/api/v1/notifications/{id}/read', {
                      params: { path: { id: n.id } },
                    });
                    if (n.conversationId) onOpen(n.conversationId);
                  }}
                >
                  <strong dir="auto">{n.title}</strong>
                  <span dir="auto">{n.body}</span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setOpen(false)}>
            {t('close')}
          </button>
        </Dialog>
      )}
    </>
  );
}

const base64ToBytes = (b64: string): Uint8Array<ArrayBuffer> => {
  const raw = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
};

/** Asks the browser for permission, subscribes with the service's VAPID key, registers it. */
export async function enablePush(): Promise<NotificationPermission> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission;
  const registration = await navigator.serviceWorker.register('/sw.js');
  const { publicKey } = await ok(api.GET('/api/v1/notifications/push/public-key'));
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64ToBytes(publicKey),
    }));
  const json = subscription.toJSON();
  await ok(
    api.POST('/api/v1/notifications/push-subscriptions', {
      body: {
        endpoint: json.endpoint!,
        keys: { p256dh: json.keys!.p256dh, auth: json.keys!.auth },
      },
    }),
  );
  return permission;
}

function PushSwitch() {
  const { t } = useTranslation();
  const supported = 'Notification' in window && 'serviceWorker' in navigator;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  const [error, setError] = useState<string | null>(null);
  if (!supported) return null;
  if (permission === 'denied') return <p>{t('pushDenied')}</p>;
  return (
    <p>
      {permission === 'granted' && !error ? (
        t('pushEnabled')
      ) : (
        <button
          type="button"
          onClick={() => void enablePush().then(setPermission, (e: unknown) => setError(String(e)))}
        >
          {t('enablePush')}
        </button>
      )}
      {error && <span className="error">{error}</span>}
    </p>
  );
}
