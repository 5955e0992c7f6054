import type { AppendedMessage, MessagesRepository, NewMessage } from './messages.repository';
import { SendBatcher, UserSend } from './send-batcher';

const send = (content: string, clientMessageId: string | null = null): UserSend => ({
  conversationId: 'c1',
  senderId: 'u1',
  clientMessageId,
  type: 'text',
  content,
  language: 'en',
  direction: 'ltr',
  systemEvent: null,
  replyToMessageId: null,
  threadRootId: null,
  moderation: 'clean',
});

/**
 * A repository that records the batches it was asked to write and answers with the content as
 * the id; a batch holding `bad` fails as a whole, and `failBatches` fails every batch of more
 * than one.
 */
function repository(failBatches = false) {
  const calls: string[][] = [];
  const repo = {
    appendMany: (sends: NewMessage[]) => {
      calls.push(sends.map((m) => m.content));
      if ((failBatches && sends.length > 1) || sends.some((m) => m.content === 'bad')) {
        return Promise.reject(new Error('bad send'));
      }
      return Promise.resolve(sends.map((m) => ({ id: m.content }) as AppendedMessage));
    },
  };
  return { calls, repo: repo as unknown as MessagesRepository };
}

describe('SendBatcher', () => {
  it('writes a lone send on its own, at once', async () => {
    const { calls, repo } = repository();
    const row = await new SendBatcher(repo).append(send('a'));
    expect(row.id).toBe('a');
    expect(calls).toEqual([['a']]);
  });

  it('answers a lone send that fails with its own error', async () => {
    const { repo } = repository();
    await expect(new SendBatcher(repo).append(send('bad'))).rejects.toThrow('bad send');
  });

  it('writes sends that arrive together in one batch and answers each with its own row', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo);
    const rows = await Promise.all(['a', 'b', 'c'].map((c) => batcher.append(send(c))));
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('batches what arrives while a batch is written into the next one', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo);
    const first = [batcher.append(send('a')), batcher.append(send('b'))];
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is being written
    const second = [batcher.append(send('c')), batcher.append(send('d'))];
    await Promise.all([...first, ...second]);
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps a repeated clientMessageId out of the batch of its original', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo);
    await Promise.all([
      batcher.append(send('a', 'x')),
      batcher.append(send('b', 'x')),
      batcher.append(send('c', 'y')),
    ]);
    expect(calls).toEqual([['a', 'c'], ['b']]);
  });

  it('writes the sends of a failed batch one by one, in order, each with its own answer', async () => {
    const { calls, repo } = repository(true);
    const batcher = new SendBatcher(repo);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((c) => batcher.append(send(c))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.message))).toEqual([
      'a',
      'bad send',
      'c',
    ]);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });
});
