import { ID_LANES, SimIdSequence } from '../../simulators/ids';

test('two simulators started in the same millisecond never hand out the same id', () => {
  const start = Date.UTC(2026, 10, 30, 22, 0, 0);
  const a = new SimIdSequence(7, start);
  const b = new SimIdSequence(8, start);
  const fromA = new Set(Array.from({ length: 10_000 }, () => a.next()));
  const fromB = Array.from({ length: 10_000 }, () => b.next());
  expect(fromA.size).toBe(10_000);
  expect(fromB.filter((id) => fromA.has(id))).toEqual([]);
});

test('a simulator started later hands out ids above those of one that ran before it', () => {
  const first = new SimIdSequence(ID_LANES - 1, Date.UTC(2026, 10, 30, 22, 0, 0));
  let last = 0;
  for (let i = 0; i < 5_000; i++) last = first.next();
  const restarted = new SimIdSequence(0, Date.UTC(2026, 10, 30, 22, 0, 6));
  expect(restarted.next()).toBeGreaterThan(last);
});

test('ids stay safe integers for decades', () => {
  expect(Number.isSafeInteger(new SimIdSequence(ID_LANES - 1, Date.UTC(2090, 0, 1)).next())).toBe(true);
});
