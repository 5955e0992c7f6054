import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { Conversation, PublicUser } from '../api/types';
import { useAppState, useStore } from '../hooks';
import { Dialog } from './Attachments';
import { UserPicker } from './UserPicker';

/** Rename, add, remove, roles (admins), and leave (anyone). */
export function GroupSettingsDialog({
  conversation: c,
  onClose,
  onLeft,
}: {
  conversation: Conversation;
  onClose: () => void;
  onLeft: () => void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const state = useAppState();
  const [title, setTitle] = useState(c.title ?? '');
  const [adding, setAdding] = useState<PublicUser[]>([]);
  const [error, setError] = useState<string | null>(null);
  const admin = c.participants.some((p) => p.userId === state.me.id && p.role === 'admin');
  const id = c.id;

  const run = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await store.fetchConversation(id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <Dialog label={t('groupSettings')} onClose={onClose}>
      <h2>{t('groupSettings')}</h2>
      {admin && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              ok(
                api.PATCH('/api/v1/conversations/{id}', {
                  params: { path: { id } },
                  body: { title },
                }),
              ),
            );
          }}
        >
          <label>
            {t('groupTitle')}
            <input
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              maxLength={100}
              dir="auto"
            />
          </label>
          <button type="submit">{t('rename')}</button>
        </form>
      )}
      <h3>{t('members')}</h3>
      <ul className="members">
        {c.participants.map((p) => (
          <li key={p.userId}>
            <span dir="auto">{p.displayName}</span>
            {p.status === 'invited' && <span className="tag">{t('invited')}</span>}
            {admin && p.userId !== state.me.id ? (
              <>
                <select
                  aria-label={`${t('role')}: ${p.displayName}`}
                  value={p.role}
                  onChange={(e) =>
                    void run(() =>
                      ok(
                        api.PATCH('/api/v1/conversations/{id}/participants/{userId}', {
                          params: { path: { id, userId: p.userId } },
                          body: { role: e.target.value as 'admin' | 'member' },
                        }),
                      ),
                    )
                  }
                >
                  <option value="member">{t('member')}</option>
                  <option value="admin">{t('admin')}</option>
                </select>
                <button
                  type="button"
                  aria-label={`${t('remove')} ${p.displayName}`}
                  onClick={() =>
                    void run(() =>
                      ok(
                        api.DELETE('/api/v1/conversations/{id}/participants/{userId}', {
                          params: { path: { id, userId: p.userId } },
                        }),
                      ),
                    )
                  }
                >
                  {t('remove')}
                </button>
              </>
            ) : (
              <span className="muted">{p.role === 'admin' ? t('admin') : t('member')}</span>
            )}
          </li>
        ))}
      </ul>
      {admin && (
        <>
          <h3>{t('addMembers')}</h3>
          <UserPicker
            picked={adding}
            onChange={setAdding}
            exclude={c.participants.map((p) => p.userId)}
          />
          <button
            type="button"
            disabled={adding.length === 0}
            onClick={() =>
              void run(() =>
                ok(
                  api.POST('/api/v1/conversations/{id}/participants', {
                    params: { path: { id } },
                    body: { userIds: adding.map((u) => u.id) },
                  }),
                ).then(() => setAdding([])),
              )
            }
          >
            {t('add')}
          </button>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="danger"
          onClick={() =>
            void ok(
              api.DELETE('/api/v1/conversations/{id}/participants/{userId}', {
                params: { path: { id, userId: state.me.id } },
              }),
            ).then(() => {
              store.forget(id);
              onClose();
              onLeft();
            })
          }
        >
          {t('leave')}
        </button>
        <button type="button" onClick={onClose}>
          {t('close')}
        </button>
      </div>
    </Dialog>
  );
}
