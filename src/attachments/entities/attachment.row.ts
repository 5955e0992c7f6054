/** An `attachments` row as the repository reads it (bigint columns arrive as strings). */
export interface AttachmentRow {
  id: string;
  uploader_id: string;
  kind: 'image' | 'file' | 'audio';
  filename: string;
  mime_type: string;
  size: string;
  width: number | null;
  height: number | null;
  /** audio only */
  duration_ms: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  thumbnail_size: number | null;
  sha256: string;
  message_id: string | null;
  position: number | null;
  created_at: Date;
  deleted_at: Date | null;
  /** the at_rest conversation whose data key sealed the stored bytes (null: as uploaded) */
  sealed_for: string | null;
}

/** What an upload adds, once its bytes are stored. */
export interface NewAttachment {
  uploaderId: string;
  kind: AttachmentRow['kind'];
  filename: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  storageKey: string;
  thumbnailKey: string | null;
  thumbnailSize: number | null;
  sha256: string;
}
