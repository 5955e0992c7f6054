import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { MessageSettings, PublicUser } from '../api/types';
import { useSession, useStore } from '../hooks';
import { Dialog } from './Attachments';
import { LanguageSelect } from './LanguageSelect';

/** Language, message settings and blocked users. */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const store = useStore();
  const session = useSession();
  const [settings, setSettings] = useState<MessageSettings | null>(null);
  const [blocked, setBlocked] = useState<PublicUser[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void ok(api.GET('/api/v1/users/me/message-settings')).then(setSettings);
    void ok(api.GET('/api/v1/users/me/blocks', { params: { query: { limit: 100 } } })).then((p) =>
      setBlocked(p.items),
    );
  }, []);

  const save = async (patch: Partial<MessageSettings>) => {
    try {
      setSettings(await ok(api.PATCH('/api/v1/users/me/message-settings', { body: patch })));
      setNotice(t('saved'));
    } catch (err) {
      setNotice(err instanceof ApiError ? err.message : String(err));
    }
  };

  const toggles = [
    'emailNotifications',
    'pushNotifications',
    'soundNotifications',
    'autoAcceptGroupInvites',
  ] as const;

  return (
    <Dialog label={t('settings')} onClose={onClose}>
      <h2>{t('settings')}</h2>
      <LanguageSelect
        onChange={(code) =>
          void store.updateLocale(code === 'ar' ? 'ar' : 'en').catch(() => undefined)
        }
      />
      <h3>{t('messageSettings')}</h3>
      {settings && (
        <div className="settings">
          <label>
            {t('allowMessagesFrom')}
            <select
              value={settings.allowMessagesFrom}
              onChange={(e) =>
                void save({
                  allowMessagesFrom: e.target.value as MessageSettings['allowMessagesFrom'],
                })
              }
            >
              <option value="anyone">{t('anyone')}</option>
              <option value="verified_only">{t('verifiedOnly')}</option>
              <option value="connections_only">{t('connectionsOnly')}</option>
            </select>
          </label>
          {toggles.map((key) => (
            <label key={key} className="check">
              <input
                type="checkbox"
                checked={settings[key]}
                onChange={(e) => void save({ [key]: e.target.checked })}
              />
              {t(key)}
            </label>
          ))}
        </div>
      )}
      <h3>{t('blockedUsers')}</h3>
      {blocked.length === 0 && <p>{t('noBlocked')}</p>}
      <ul className="members">
        {blocked.map((u) => (
          <li key={u.id}>
            <span dir="auto">{u.displayName}</span>
            <button
              type="button"
              onClick={() =>
                void ok(
                  api.DELETE('/api/v1/users/{id}/block', { params: { path: { id: u.id } } }),
                ).then(() => setBlocked((b) => b.filter((x) => x.id !== u.id)))
              }
            >
              {t('unblock')}
            </button>
          </li>
        ))}
      </ul>
      {notice && <p role="status">{notice}</p>}
      <div className="row">
        <button type="button" onClick={onClose}>
          {t('close')}
        </button>
        <button type="button" onClick={() => void session.signOut()}>
          {t('signOut')}
        </button>
      </div>
    </Dialog>
  );
}
