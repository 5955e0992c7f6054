import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchBlob } from '../api/client';
import type { Attachment } from '../api/types';
import { useObjectUrl } from '../hooks';

/**
 * An attachment as the API serves it: bytes need the bearer token, so they are fetched and
 * shown from an object URL (the page's CSP allows `blob:` images and media).
 */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  if (attachment.kind === 'image') return <ImageAttachment attachment={attachment} />;
  if (attachment.kind === 'audio') return <AudioAttachment attachment={attachment} />;
  const download = async () => {
    const url = URL.createObjectURL(await fetchBlob(attachment.url));
    const a = document.createElement('a');
    a.href = url;
    a.download = attachment.filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <a
      href={attachment.url}
      className="file-link"
      aria-label={t('download', { name: attachment.filename })}
      onClick={(e) => {
        e.preventDefault();
        void download();
      }}
    >
      <span aria-hidden="true">📄</span> <span dir="auto">{attachment.filename}</span>{' '}
      <span className="muted">({Math.ceil(attachment.size / 1024)} KB)</span>
    </a>
  );
}

function ImageAttachment({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const thumb = useObjectUrl(
    () => fetchBlob(attachment.thumbnailUrl ?? attachment.url),
    `${attachment.id}:thumb`,
  );
  return (
    <>
      <button
        type="button"
        className="thumbnail"
        aria-label={t('openImage', { name: attachment.filename })}
        onClick={() => setOpen(true)}
      >
        {thumb ? (
          <img src={thumb} alt={attachment.filename} width={attachment.width ?? undefined} />
        ) : (
          <span className="thumb-placeholder" />
        )}
      </button>
      {open && <ImageDialog attachment={attachment} onClose={() => setOpen(false)} />}
    </>
  );
}

function ImageDialog({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t } = useTranslation();
  const full = useObjectUrl(() => fetchBlob(attachment.url), `${attachment.id}:full`);
  return (
    <Dialog label={attachment.filename} onClose={onClose} className="image-dialog">
      {full && <img src={full} alt={attachment.filename} className="full-image" />}
      <button type="button" onClick={onClose}>
        {t('close')}
      </button>
    </Dialog>
  );
}

function AudioAttachment({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const src = useObjectUrl(() => fetchBlob(attachment.url), attachment.id);
  return (
    <audio controls src={src ?? undefined} aria-label={t('voiceMessage')} preload="metadata" />
  );
}

/**
 * A modal `<dialog>`: focus stays inside, Escape closes it, and on closing the focus goes back
 * to where it was (the control that opened it).
 */
export function Dialog({
  label,
  onClose,
  className,
  children,
}: {
  label: string;
  onClose: () => void;
  className?: string;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    return () => {
      // React removes the dialog rather than closing it, so the browser does not restore focus
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={label}
      className={`dialog ${className ?? ''}`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}
