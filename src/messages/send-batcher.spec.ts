import type { AppendedMessage, MessagesRepository, NewMessage } from './messages.repository';
import type { Transactions } from '../database/transactions';
import { SendBatcher, UserSend } from './send-batcher';

/** Transactions as the batcher uses them, counting the ones it opens. */
const transactions = { opened: 0 } as { opened: number } & Transactions;
Object.assign(transactions, {
  outside: <T>(work: () => Promise<T>) => work(),
  run: <T>(work: () => Promise<T>) => {
    transactions.opened++;
    return work();
  },
});

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
    const row = await new SendBatcher(repo, transactions).append(send('a'));
    expect(row.id).toBe('a');
    expect(calls).toEqual([['a']]);
  });

  it('answers a lone send that fails with its own error', async () => {
    const { repo } = repository();
    await expect(new SendBatcher(repo, transactions).append(send('bad'))).rejects.toThrow(
      'bad send',
    );
  });

  it('writes sends that arrive together in one batch and answers each with its own row', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo, transactions);
    const rows = await Promise.all(['a', 'b', 'c'].map((c) => batcher.append(send(c))));
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('batches what arrives while a batch is written into the next one', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo, transactions);
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
    const batcher = new SendBatcher(repo, transactions);
    await Promise.all([
      batcher.append(send('a', 'x')),
      batcher.append(send('b', 'x')),
      batcher.append(send('c', 'y')),
    ]);
    expect(calls).toEqual([['a', 'c'], ['b']]);
  });

  it('writes the sends of a failed batch one by one, in order, each with its own answer', async () => {
    const { calls, repo } = repository(true);
    const batcher = new SendBatcher(repo, transactions);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((c) => batcher.append(send(c))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.message))).toEqual([
      'a',
      'bad send',
      'c',
    ]);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('writes what a send writes besides its message in the transaction of its batch, and only then', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo, transactions);
    const before = transactions.opened;
    const along: string[] = [];
    const rows = await Promise.all([
      batcher.append(send('plain')),
      batcher.append(send('reply'), async (m) => {
        along.push(m.id);
      }),
    ]);
    expect(rows.map((r) => r.id)).toEqual(['plain', 'reply']);
    expect(calls).toEqual([['plain', 'reply']]);
    expect(along).toEqual(['reply']);
    expect(transactions.opened).toBe(before + 1);
    // a batch of plain sends is one statement, no transaction around it
    await batcher.append(send('alone'));
    expect(transactions.opened).toBe(before + 1);
  });

  it('fails only the send whose other writes fail; the rest of its batch is written again', async () => {
    const { calls, repo } = repository();
    const batcher = new SendBatcher(repo, transactions);
    const results = await Promise.allSettled([
      batcher.append(send('x')),
      batcher.append(send('y'), () => Promise.reject(new Error('attachment taken'))),
      batcher.append(send('z')),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.message))).toEqual([
      'x',
      'attachment taken',
      'z',
    ]);
    expect(calls).toEqual([['x', 'y', 'z'], ['x'], ['y'], ['z']]);
  });
});
