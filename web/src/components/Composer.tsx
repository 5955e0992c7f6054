import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, uploadFile } from '../api/client';
import type { Attachment, Conversation, Message } from '../api/types';
import { useStore } from '../hooks';
import { ClipIcon } from './Icons';

interface Upload {
  key: string;
  name: string;
  progress: number;
  attachment?: Attachment;
  error?: string;
}

const TYPING_REFRESH_MS = 3_000;

/** The composer: Enter sends, Shift+Enter is a new line, Escape drops a reply or an edit. */
export function Composer({
  conversation,
  replyTo,
  editing,
  onDone,
  threadRootId,
  label,
}: {
  conversation: Conversation;
  replyTo: Message | null;
  editing: Message | null;
  onDone: () => void;
  threadRootId?: string;
  /** the textbox's name: "Message", or "Reply" in a thread */
  label?: string;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [error, setError] = useState<string | null>(null);
  const typingSent = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const textArea = useRef<HTMLTextAreaElement>(null);
  const id = conversation.id;

  useEffect(() => {
    if (editing) setText(editing.content);
    if (editing || replyTo) textArea.current?.focus();
  }, [editing, replyTo]);

  const stopTyping = () => {
    if (typingSent.current) store.typing(id, false);
    typingSent.current = 0;
  };
  useEffect(() => stopTyping, []);

  const ready = uploads.filter((u) => u.attachment);
  const uploading = uploads.some((u) => !u.attachment && !u.error);
  const canSend = !uploading && (text.trim().length > 0 || (ready.length > 0 && !editing));

  const send = async () => {
    if (!canSend) return;
    setError(null);
    const content = text.trim();
    stopTyping();
    if (editing) {
      try {
        await store.edit(editing, content);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : String(err));
        return;
      }
    } else {
      store.send(id, content, {
        replyToMessageId: replyTo?.id ?? threadRootId,
        attachmentIds: ready.map((u) => u.attachment!.id),
      });
    }
    setText('');
    setUploads([]);
    onDone();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape' && (replyTo || editing)) {
      e.preventDefault();
      setText('');
      onDone();
    }
  };

  const onInput = (value: string) => {
    setText(value);
    if (!value.trim()) return stopTyping();
    if (Date.now() - typingSent.current > TYPING_REFRESH_MS && store.typing(id, true)) {
      typingSent.current = Date.now();
    }
  };

  const attach = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = crypto.randomUUID();
      setUploads((u) => [...u, { key, name: file.name, progress: 0 }]);
      const update = (patch: Partial<Upload>) =>
        setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)));
      uploadFile(file, (progress) => update({ progress })).then(
        (attachment) => update({ attachment, progress: 1 }),
        (err: unknown) => update({ error: err instanceof ApiError ? err.message : String(err) }),
      );
    }
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <div className="composer">
      {(replyTo || editing) && (
        <div className="composer-context">
          <span dir="auto">
            {editing ? t('editing') : t('replyingTo', { name: replyTo?.sender?.displayName ?? '' })}
            {replyTo && <q dir={replyTo.direction}>{replyTo.content.slice(0, 80)}</q>}
          </span>
          <button
            type="button"
            onClick={() => {
              setText('');
              onDone();
            }}
          >
            {t('cancel')}
          </button>
        </div>
      )}
      {uploads.length > 0 && (
        <ul className="uploads">
          {uploads.map((u) => (
            <li key={u.key}>
              <span dir="auto">{u.name}</span>
              {u.error ? (
                <span className="error">{u.error}</span>
              ) : (
                <progress
                  max={1}
                  value={u.progress}
                  aria-label={t('uploading', { name: u.name })}
                />
              )}
              <button
                type="button"
                className="icon"
                aria-label={t('removeAttachment', { name: u.name })}
                onClick={() => setUploads((x) => x.filter((y) => y.key !== u.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="composer-row">
        {conversation.allowFileSharing && !editing && (
          <>
            <button
              type="button"
              className="icon"
              aria-label={t('attach')}
              onClick={() => fileInput.current?.click()}
            >
              <ClipIcon />
            </button>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              tabIndex={-1}
              accept="image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain,.doc,.docx,audio/*"
              onChange={(e) => attach(e.target.files)}
            />
          </>
        )}
        <textarea
          ref={textArea}
          aria-label={label ?? t('message')}
          placeholder={label ?? t('message')}
          rows={1}
          dir="auto"
          value={text}
          maxLength={4000}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
        />
        <button type="button" className="primary" onClick={() => void send()} disabled={!canSend}>
          {editing ? t('save') : label ? t('reply') : t('send')}
        </button>
      </div>
    </div>
  );
}
