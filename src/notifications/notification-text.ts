import type { Locale } from '../common/errors/error-messages';

const PREVIEW_LENGTH = 140;
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

/**
 * Whether `text` names the user as `@displayName`, ignoring case. The name must stand alone:
 * `@Ali` does not mention Alice, and `me@ali.example` mentions nobody.
 */
export function mentions(text: string, displayName: string): boolean {
  const name = displayName.trim().toLowerCase();
  if (name.length === 0) return false;
  const haystack = text.toLowerCase();
  const needle = `@${name}`;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at > 0 ? haystack[at - 1] : '';
    const after = haystack.slice(at + needle.length, at + needle.length + 2);
    const afterChar = [...after][0] ?? '';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(afterChar)) return true;
  }
  return false;
}

/** One line of at most 140 characters (code points), with `…` where it was cut. */
export function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= PREVIEW_LENGTH ? line : `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…`;
}

/** The sender, and in a group the group's title. */
export function messageTitle(senderName: string, groupTitle: string | null): string {
  return groupTitle ? `${senderName} · ${groupTitle}` : senderName;
}

const TEXTS = {
  image: { en: '📷 Photo', ar: '📷 صورة' },
  file: { en: '📎 File', ar: '📎 ملف' },
  audio: { en: '🎤 Voice message', ar: '🎤 رسالة صوتية' },
  group: { en: 'Group', ar: 'مجموعة' },
  someone: { en: 'Someone', ar: 'شخص ما' },
  invited: {
    en: (inviter: string) => `${inviter} invited you to join the group`,
    ar: (inviter: string) => `دعاك ${inviter} للانضمام إلى المجموعة`,
  },
} as const;

/** What an attachment-only message says in a notification. */
export function attachmentBody(type: 'file' | 'image' | 'audio', locale: Locale): string {
  return TEXTS[type][locale];
}

export function inviteTitle(groupTitle: string | null, locale: Locale): string {
  return groupTitle ?? TEXTS.group[locale];
}

export function inviteBody(inviterName: string | null, locale: Locale): string {
  return TEXTS.invited[locale](inviterName ?? TEXTS.someone[locale]);
}
