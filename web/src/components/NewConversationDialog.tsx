import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { PublicUser } from '../api/types';
import { useStore } from '../hooks';
import { Dialog } from './Attachments';
import { UserPicker } from './UserPicker';

/** One person picked: a direct conversation. More, or a title: a group. */
export function NewConversationDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [picked, setPicked] = useState<PublicUser[]>([]);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const group = picked.length > 1 || title.trim().length > 0;

  const create = async () => {
    setError(null);
    try {
      const c = await ok(
        api.POST('/api/v1/conversations', {
          body: {
            type: group ? 'group' : 'direct',
            participantIds: picked.map((p) => p.id),
            ...(group && title.trim() ? { title: title.trim() } : {}),
          },
        }),
      );
      await store.fetchConversation(c.id);
      onCreated(c.id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <Dialog label={t('newConversation')} onClose={onClose}>
      <h2>{t('newConversation')}</h2>
      <UserPicker picked={picked} onChange={setPicked} />
      <label>
        {t('groupTitle')}
        <input
          value={title}
          maxLength={100}
          onChange={(e) => setTitle(e.target.value)}
          dir="auto"
        />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={picked.length === 0}
          onClick={() => void create()}
        >
          {group ? t('createGroup') : t('startChat')}
        </button>
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </Dialog>
  );
}
