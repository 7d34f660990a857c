import { GroupCommit } from '../../db/group-commit';

/** Group commit without a database: a write is a promise the test settles, so every interleaving is the test's. */

interface PendingWrite {
  items: string[];
  settle(outcomes?: string[]): void;
  fail(err: unknown): void;
}

function recorder() {
  const writes: PendingWrite[] = [];
  const write = (items: string[]) => new Promise<string[]>((resolve, reject) => {
    writes.push({ items, settle: (outcomes) => resolve(outcomes ?? items.map((i) => `stored ${i}`)), fail: reject });
  });
  return { writes, write };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('callers of one turn share one write, and each gets its own outcome', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write });
  const answers = ['a', 'b', 'c'].map((item) => commits.submit(item));
  await turn();
  expect(writes.map((w) => w.items)).toEqual([['a', 'b', 'c']]);
  writes[0]!.settle(['one', 'two', 'three']);
  await expect(Promise.all(answers)).resolves.toEqual(['one', 'two', 'three']);
  expect(commits.stats).toEqual({ writes: 1, items: 3 });
});

test('callers arriving while the write slots are taken wait and go together in the next write', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write, maxConcurrentWrites: 1 });
  const first = commits.submit('a');
  await turn();
  const later = ['b', 'c'].map((item) => commits.submit(item));
  await turn();
  expect(writes).toHaveLength(1);
  expect(commits.waiting).toBe(2);
  writes[0]!.settle();
  await expect(first).resolves.toBe('stored a');
  await turn();
  expect(writes.map((w) => w.items)).toEqual([['a'], ['b', 'c']]);
  writes[1]!.settle();
  await expect(Promise.all(later)).resolves.toEqual(['stored b', 'stored c']);
});

test('a group stops at the weight limit, but a single heavy item still goes alone', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write, weight: (item: string) => item.length, maxWeight: 4, maxConcurrentWrites: 3 });
  const answers = ['aa', 'bb', 'c', 'dddddd', 'e'].map((item) => commits.submit(item));
  await turn();
  expect(writes.map((w) => w.items)).toEqual([['aa', 'bb'], ['c'], ['dddddd']]);
  writes.forEach((w) => w.settle());
  await turn();
  await turn();
  expect(writes.map((w) => w.items).slice(3)).toEqual([['e']]);
  writes[3]!.settle();
  await expect(Promise.all(answers)).resolves.toHaveLength(5);
});

test('a failed write fails every caller of its group, and no other', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write, maxConcurrentWrites: 1 });
  const failing = ['a', 'b'].map((item) => commits.submit(item));
  await turn();
  const next = commits.submit('c');
  writes[0]!.fail(new Error('connection lost'));
  await expect(Promise.allSettled(failing)).resolves.toEqual([
    { status: 'rejected', reason: new Error('connection lost') }, { status: 'rejected', reason: new Error('connection lost') },
  ]);
  await turn();
  writes[1]!.settle();
  await expect(next).resolves.toBe('stored c');
});

test('when the data is refused, the group is written again one item at a time, so only the bad one fails', async () => {
  const { writes, write } = recorder();
  const refused = Object.assign(new Error('invalid input'), { code: '22P02' });
  const commits = new GroupCommit({ write, alone: (err) => (err as { code?: string }).code === '22P02' });
  const settled = Promise.allSettled(['good', 'bad', 'fine'].map((item) => commits.submit(item)));
  await turn();
  writes[0]!.fail(refused);
  for (let i = 1; i <= 3; i++) {
    while (writes.length <= i) await turn();
    if (writes[i]!.items[0] === 'bad') writes[i]!.fail(refused);
    else writes[i]!.settle();
  }
  expect((await settled).map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(writes.map((w) => w.items)).toEqual([['good', 'bad', 'fine'], ['good'], ['bad'], ['fine']]);
  expect(commits.stats).toEqual({ writes: 4, items: 3 });
});

test('a write that answers for fewer items than it was given fails each caller with the reason', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write });
  const settled = Promise.allSettled(['a', 'b'].map((item) => commits.submit(item)));
  await turn();
  writes[0]!.settle(['only one']);
  expect((await settled).map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.status)))
    .toEqual(['group commit: the write returned 1 outcomes for 2 items', 'group commit: the write returned 1 outcomes for 2 items']);
});

test('a data check that throws counts as "not the data": the group fails with the write\'s own error', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write, alone: () => { throw new Error('broken check'); } });
  const settled = Promise.allSettled(['a', 'b'].map((item) => commits.submit(item)));
  await turn();
  writes[0]!.fail(new Error('connection lost'));
  expect((await settled).map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.status))).toEqual(['connection lost', 'connection lost']);
  expect(writes).toHaveLength(1);
});

test('close with nothing under way resolves at once', async () => {
  const { write } = recorder();
  await expect(new GroupCommit({ write }).close()).resolves.toBeUndefined();
});

test('close refuses new callers, naming what is closed, and resolves once every accepted one has its outcome', async () => {
  const { writes, write } = recorder();
  const commits = new GroupCommit({ write, what: 'the inbox' });
  const accepted = commits.submit('a');
  let closed = false;
  const closing = commits.close().then(() => void (closed = true));
  expect(commits.closed).toBe(true);
  await expect(commits.submit('late')).rejects.toThrow('the inbox is closed');
  await turn();
  expect(closed).toBe(false);
  writes[0]!.settle();
  await closing;
  await expect(accepted).resolves.toBe('stored a');
  expect(writes).toHaveLength(1);
});

test('tuning below one is refused', () => {
  const { write } = recorder();
  expect(() => new GroupCommit({ write, maxConcurrentWrites: 0 })).toThrow('at least 1');
  expect(() => new GroupCommit({ write, maxWeight: 0 })).toThrow('at least 1');
});
