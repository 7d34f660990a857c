import { parseArgs } from '../../reliability/args';

/** The reliability CLI's arguments: scenarios by name, a scale, and mistakes named. */

test('one scenario, several, or all, at a scale (full by default)', () => {
  expect(parseArgs(['worker-kill'])).toEqual({ names: ['worker-kill'], scale: 'full', sharedStack: false, json: undefined });
  expect(parseArgs(['worker-kill,vendor-storm', '--scale', 'short', '--json', 'out.json'])).toEqual({ names: ['worker-kill', 'vendor-storm'], scale: 'short', sharedStack: false, json: 'out.json' });
  expect(parseArgs(['all', '--shared-stack', '--scale', 'tiny'])).toMatchObject({ scale: 'tiny', sharedStack: true, names: expect.arrayContaining(['worker-kill', 'temporal-unreachable']) });
});

test('a mistake names the argument', () => {
  expect(parseArgs(['worker-kil'])).toMatch(/^unknown scenario worker-kil\n/);
  expect(parseArgs(['all', '--scale', 'huge'])).toMatch(/^--scale must be tiny, short or full, not huge/);
  expect(parseArgs(['all', '--scale'])).toMatch(/not \(nothing\)/);
  expect(parseArgs([])).toMatch(/^name one scenario, or all/);
  expect(parseArgs(['all', '--fast'])).toMatch(/^unknown option --fast/);
  expect(parseArgs(['all', '--json'])).toMatch(/^--json needs a file name/);
});
