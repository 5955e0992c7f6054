import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import i18next from 'i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as client from '../api/client';
import type { Attachment } from '../api/types';
import { ar } from '../i18n/ar';
import { en } from '../i18n/en';
import { conversation, fakeStore, ME, message, renderWith } from '../test-utils';
import { AttachmentView } from './Attachments';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { MessageItem } from './MessageItem';
import { Snippet } from './SearchPanel';

afterEach(async () => {
  vi.restoreAllMocks();
  await i18next.changeLanguage('en');
});

describe('Snippet', () => {
  it('renders <mark> hits as marks and everything else as text', () => {
    const { container } = renderWith(
      fakeStore(),
      <Snippet
        html={'the &lt;script&gt;alert(1)&lt;/script&gt; <mark>invoice</mark> &amp; more'}
      />,
    );
    expect(container.querySelectorAll('mark')).toHaveLength(1);
    expect(container.querySelector('mark')!.textContent).toBe('invoice');
    expect(container.querySelector('script')).toBeNull();
    expect(container.textContent).toBe('the <script>alert(1)</script> invoice & more');
  });
});

describe('MessageItem', () => {
  const c = conversation({ type: 'group' });
  it('shows masked and flagged states, the sender name in groups, and the text direction', () => {
    const store = fakeStore();
    renderWith(
      store,
      <>
        <MessageItem
          message={message({ content: 'you ***', moderation: 'masked' })}
          conversation={c}
        />
        <MessageItem
          message={message({
            content: 'مرحبا',
            direction: 'rtl',
            language: 'ar',
            moderation: 'flagged',
          })}
          conversation={c}
        />
      </>,
    );
    expect(screen.getByText('Masked')).toBeTruthy();
    expect(screen.getByText('Under review')).toBeTruthy();
    expect(screen.getAllByText('Peer')).toHaveLength(2);
    expect(screen.getByText('مرحبا').getAttribute('dir')).toBe('rtl');
  });

  it('quotes the message replied to, and offers edit and delete only on own messages', () => {
    const original = message({ id: 'orig', content: 'the original' });
    const reply = message({
      id: 'r',
      seq: 2,
      senderId: ME.id,
      content: 'my reply',
      replyToMessageId: 'orig',
    });
    const store = fakeStore({
      messages: { c1: { items: [original, reply], hasOlder: false, loading: false } },
    });
    renderWith(
      store,
      <MessageItem message={reply} conversation={conversation()} onEdit={() => undefined} />,
    );
    expect(screen.getByRole('article').querySelector('blockquote')!.textContent).toContain(
      'the original',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Message actions' }));
    expect(screen.getByRole('button', { name: 'Edit' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeTruthy();
  });
});

describe('AttachmentView', () => {
  it('plays voice messages with an audio player fed by the authorised bytes', async () => {
    vi.spyOn(client, 'fetchBlob').mockResolvedValue(new Blob(['x'], { type: 'audio/webm' }));
    URL.createObjectURL = vi.fn(() => 'blob:voice');
    URL.revokeObjectURL = vi.fn();
    const audio = {
      id: 'a1',
      kind: 'audio',
      filename: 'voice.webm',
      mimeType: 'audio/webm',
      size: 1000,
      url: '/api/v1/attachments/a1',
      createdAt: '2026-12-05T10:00:00.000Z',
      durationMs: 3000,
    } as Attachment;
    const { container } = renderWith(fakeStore(), <AttachmentView attachment={audio} />);
    await waitFor(() =>
      expect(container.querySelector('audio')?.getAttribute('src')).toBe('blob:voice'),
    );
    expect(client.fetchBlob).toHaveBeenCalledWith('/api/v1/attachments/a1');
  });
});

describe('Composer', () => {
  it('Enter sends, Shift+Enter is a new line, Escape drops the reply', () => {
    const send = vi.fn();
    const typing = vi.fn(() => true);
    const done = vi.fn();
    const replyTo = message({ id: 'm1', content: 'question?' });
    renderWith(
      fakeStore({}, { send, typing }),
      <Composer conversation={conversation()} replyTo={replyTo} editing={null} onDone={done} />,
    );
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(send).toHaveBeenCalledWith('c1', 'line one', {
      replyToMessageId: 'm1',
      attachmentIds: [],
    });
    expect(typing).toHaveBeenCalledWith('c1', true);
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(done).toHaveBeenCalled();
  });
});

describe('ConversationList', () => {
  it('shows muted and archived states, the unread badge and presence; Archived lists archived ones', async () => {
    const loadConversations = vi.fn(async () => undefined);
    const store = fakeStore(
      {
        conversations: {
          c1: conversation({
            unreadCount: 3,
            muted: true,
            lastMessage: message({ content: 'latest' }),
          }),
          c2: conversation({ id: 'c2', title: 'Old project', type: 'group', archived: true }),
        },
        presence: { '00000000-0000-4000-8000-000000000002': 'online' },
      },
      { loadConversations },
    );
    renderWith(store, <ConversationList openId={null} onOpen={() => undefined} />);
    expect(screen.getByRole('link', { name: 'Peer' })).toBeTruthy();
    expect(screen.getByText('3 unread')).toBeTruthy();
    expect(screen.getByText('latest')).toBeTruthy(); // the last message's preview
    expect(screen.getAllByRole('listitem')[0].querySelector('time')?.getAttribute('dateTime')).toBe(
      '2026-12-05T10:00:00.000Z',
    );
    expect(screen.getByText('Muted')).toBeTruthy();
    expect(screen.getByText('online')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Old project' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Archived' }));
    expect(loadConversations).toHaveBeenCalledWith(true);
    expect(screen.getByRole('link', { name: 'Old project' })).toBeTruthy();
  });
});

describe('i18n', () => {
  const keys = (o: object, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
    );

  it('translates every English string into Arabic', () => {
    const arabic = new Set(keys(ar).map((k) => k.replace(/_(zero|two|few|many)$/, '')));
    for (const key of keys(en)) expect(arabic.has(key)).toBe(true);
  });

  it('switches the whole page to rtl and lang=ar', async () => {
    await act(() => i18next.changeLanguage('ar'));
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
  });
});
