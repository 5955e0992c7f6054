import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as client from '../api/client';
import { api } from '../api/client';
import type { Attachment } from '../api/types';
import { conversation, fakeStore, message, PEER, renderWith } from '../test-utils';
import { Composer } from './Composer';
import { ConversationView } from './ConversationView';
import { NotificationsButton } from './Notifications';

const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });

beforeAll(() => {
  // happy-dom has no modal dialogs
  if (!('showModal' in HTMLDialogElement.prototype)) {
    Object.assign(HTMLDialogElement.prototype, {
      showModal(this: HTMLDialogElement) {
        this.setAttribute('open', '');
      },
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const viewMethods = () => ({
  open: vi.fn(async () => undefined),
  markRead: vi.fn(),
  loadOlder: vi.fn(async () => undefined),
  typing: vi.fn(() => true),
  send: vi.fn(),
  conversationAction: vi.fn(async () => conversation()),
});

function view(messages = [message()], patch = {}, methods = viewMethods()) {
  const store = fakeStore(
    {
      conversations: { c1: conversation(patch) },
      messages: { c1: { items: messages, hasOlder: false, loading: false } },
      openId: 'c1',
    },
    methods,
  );
  renderWith(store, <ConversationView id="c1" onBack={() => undefined} onOpen={() => undefined} />);
  return methods;
}

describe('ConversationView', () => {
  it('lists messages oldest to newest with a date separator before each new day', () => {
    const now = new Date();
    const yesterday = new Date(now);
    yesterday.setDate(now.getDate() - 1);
    view([
      message({ id: 'a', seq: 1, content: 'first', createdAt: '2026-03-02T10:00:00.000Z' }),
      message({ id: 'b', seq: 2, content: 'same day', createdAt: '2026-03-02T11:00:00.000Z' }),
      message({ id: 'c', seq: 3, content: 'yesterday', createdAt: yesterday.toISOString() }),
      message({ id: 'd', seq: 4, content: 'today', createdAt: now.toISOString() }),
    ]);
    const log = screen.getByRole('log', { name: 'Messages' });
    const separators = within(log).getAllByRole('separator');
    const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(
      new Date('2026-03-02T10:00:00.000Z'),
    );
    expect(separators.map((s) => s.getAttribute('aria-label'))).toEqual([
      day,
      'Yesterday',
      'Today',
    ]);
    expect(separators.map((s) => s.textContent)).toEqual([day, 'Yesterday', 'Today']);
    // document order: separator, its day's messages, next separator …
    const order = [...log.querySelectorAll('[role="separator"], article')].map(
      (el) => el.getAttribute('aria-label') ?? '',
    );
    expect(order).toEqual([
      day,
      'Peer: first',
      'Peer: same day',
      'Yesterday',
      'Peer: yesterday',
      'Today',
      'Peer: today',
    ]);
  });

  it('mutes and archives from the conversation options, whose labels follow the state', async () => {
    const methods = view();
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(methods.conversationAction).toHaveBeenCalledWith('c1', 'mute'));
    // the menu closes and the focus is back on its button
    expect(screen.queryByRole('group', { name: 'Conversation options' })).toBeNull();
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Conversation options' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(methods.conversationAction).toHaveBeenCalledWith('c1', 'archive'));
  });

  it('offers Unmute and Unarchive on a muted, archived conversation', async () => {
    const methods = view([message()], { muted: true, archived: true });
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Unmute' }));
    await waitFor(() => expect(methods.conversationAction).toHaveBeenCalledWith('c1', 'unmute'));
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Unarchive' }));
    await waitFor(() => expect(methods.conversationAction).toHaveBeenCalledWith('c1', 'unarchive'));
  });

  it('blocks the other person of a direct conversation and says so', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue(ok(undefined, 204));
    view();
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Block' }));
    const notice = await screen.findByText('Peer is blocked. Unblock them in Settings.');
    expect(notice.getAttribute('role')).toBe('status');
    expect(post).toHaveBeenCalledWith('/api/v1/users/{id}/block', {
      params: { path: { id: PEER } },
    });
  });

  it('shows a failed action instead of dropping it', async () => {
    const methods = viewMethods();
    methods.conversationAction.mockRejectedValue(
      new client.ApiError({ statusCode: 403, code: 'FORBIDDEN', message: 'Not allowed.' } as never),
    );
    view([message()], {}, methods);
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await screen.findByText('Something went wrong: Not allowed.');
  });

  it('has no Block in a group', () => {
    view([message()], { type: 'group', title: 'Team' });
    fireEvent.click(screen.getByRole('button', { name: 'Conversation options' }));
    expect(screen.queryByRole('button', { name: 'Block' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Group settings' })).toBeTruthy();
  });

  it('Escape closes the conversation options and the message actions, focus back on their button', () => {
    view();
    const options = screen.getByRole('button', { name: 'Conversation options' });
    fireEvent.click(options);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Mute' }), { key: 'Escape' });
    expect(screen.queryByRole('group', { name: 'Conversation options' })).toBeNull();
    expect(document.activeElement).toBe(options);

    const actions = screen.getByRole('button', { name: 'Message actions' });
    fireEvent.click(actions);
    expect(actions.getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(screen.getByRole('button', { name: 'React with 👍' }), { key: 'Escape' });
    expect(screen.queryByRole('group', { name: 'Message actions' })).toBeNull();
    expect(actions.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(actions);
  });

  it('Reply puts the focus in the composer', () => {
    view();
    fireEvent.click(screen.getByRole('button', { name: 'Message actions' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Message' }));
    expect(screen.getByText('Replying to Peer')).toBeTruthy();
  });
});

describe('Dialog focus', () => {
  it('Escape (cancel) closes a dialog and the focus goes back to the control that opened it', () => {
    renderWith(
      fakeStore({}, { loadNotifications: vi.fn(async () => undefined) }),
      <NotificationsButton onOpen={() => undefined} />,
    );
    const bell = screen.getByRole('button', { name: 'Notifications' });
    bell.focus();
    fireEvent.click(bell);
    const dialog = screen.getByRole('dialog', { name: 'Notifications' });
    // a modal dialog takes the focus (happy-dom's does not: move it by hand)
    within(dialog).getByRole('button', { name: 'Close' }).focus();
    expect(document.activeElement).not.toBe(bell);
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(bell);
  });
});

describe('Composer uploads', () => {
  const attachment = {
    id: 'att1',
    kind: 'file',
    filename: 'report.pdf',
    mimeType: 'application/pdf',
    size: 2048,
    url: '/api/v1/attachments/att1',
    createdAt: '2026-12-05T10:00:00.000Z',
  } as Attachment;

  it('shows the progress of each upload, and sends once it is done', async () => {
    let progress: (f: number) => void = () => undefined;
    let finish: (a: Attachment) => void = () => undefined;
    const upload = vi.spyOn(client, 'uploadFile').mockImplementation((_file, onProgress) => {
      progress = onProgress;
      return new Promise((resolve) => (finish = resolve));
    });
    const send = vi.fn();
    const { container } = renderWith(
      fakeStore({}, { send, typing: vi.fn(() => true) }),
      <Composer conversation={conversation()} replyTo={null} editing={null} onDone={() => {}} />,
    );
    const file = new File(['%PDF-1.4'], 'report.pdf', { type: 'application/pdf' });
    fireEvent.change(container.querySelector('input[type="file"]')!, {
      target: { files: [file] },
    });
    expect(upload).toHaveBeenCalledWith(file, expect.any(Function));
    const bar = screen.getByRole('progressbar', { name: 'Uploading report.pdf' });
    expect(bar.getAttribute('value')).toBe('0');
    expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(true);

    act(() => progress(0.4));
    expect(bar.getAttribute('value')).toBe('0.4');
    expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(true);

    await act(async () => finish(attachment));
    expect(
      screen.getByRole('progressbar', { name: 'Uploading report.pdf' }).getAttribute('value'),
    ).toBe('1');
    const sendButton = screen.getByRole('button', { name: 'Send' });
    expect(sendButton.hasAttribute('disabled')).toBe(false);
    fireEvent.click(sendButton);
    expect(send).toHaveBeenCalledWith('c1', '', {
      replyToMessageId: undefined,
      attachmentIds: ['att1'],
    });
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows a refused upload and lets it be removed', async () => {
    vi.spyOn(client, 'uploadFile').mockRejectedValue(
      new client.ApiError({
        statusCode: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'Too big.',
      } as never),
    );
    const { container } = renderWith(
      fakeStore({}, { send: vi.fn(), typing: vi.fn(() => true) }),
      <Composer conversation={conversation()} replyTo={null} editing={null} onDone={() => {}} />,
    );
    fireEvent.change(container.querySelector('input[type="file"]')!, {
      target: { files: [new File(['x'], 'huge.bin')] },
    });
    await screen.findByText('Too big.');
    fireEvent.click(screen.getByRole('button', { name: 'Remove huge.bin' }));
    expect(screen.queryByText('huge.bin')).toBeNull();
  });
});

describe('uploadFile', () => {
  it('posts the file with the bearer token and reports the upload progress', async () => {
    const sent: { url?: string; headers: Record<string, string>; body?: FormData } = {
      headers: {},
    };
    class FakeXhr {
      static last: FakeXhr;
      upload: { onprogress?: (e: Partial<ProgressEvent>) => void } = {};
      onload?: () => void;
      onerror?: () => void;
      status = 0;
      response: unknown = null;
      responseType = '';
      constructor() {
        FakeXhr.last = this;
      }
      open(_method: string, url: string) {
        sent.url = url;
      }
      setRequestHeader(name: string, value: string) {
        sent.headers[name] = value;
      }
      send(body: FormData) {
        sent.body = body;
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    client.setAuthSource({
      accessToken: async () => 'tok',
      language: () => 'en',
      unauthorized: () => undefined,
    });
    const seen: number[] = [];
    const file = new File(['abc'], 'a.txt', { type: 'text/plain' });
    const done = client.uploadFile(file, (f) => seen.push(f));
    await waitFor(() => expect(sent.body).toBeDefined());
    const xhr = FakeXhr.last;
    xhr.upload.onprogress!({ lengthComputable: true, loaded: 25, total: 100 });
    xhr.upload.onprogress!({ lengthComputable: false, loaded: 50, total: 0 });
    xhr.upload.onprogress!({ lengthComputable: true, loaded: 100, total: 100 });
    xhr.status = 201;
    xhr.response = { id: 'att9' };
    xhr.onload!();
    expect(await done).toEqual({ id: 'att9' });
    expect(seen).toEqual([0.25, 1]);
    expect(sent.url).toBe('/api/v1/attachments');
    expect(sent.headers.Authorization).toBe('Bearer tok');
    expect((sent.body!.get('file') as File).name).toBe('a.txt');
    vi.unstubAllGlobals();
  });
});
