import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCUMENTS, renderAll } from '../../docgen/documents';
import { repoRoot } from '../../docgen/repo';

/**
 * The documents made from the code (docgen/) must be what the code makes of them today: each is generated in
 * memory and compared with the committed file.
 */
describe('generated documents', () => {
  const rendered = renderAll();

  test('every document is generated', () => {
    expect(rendered.map((d) => d.path)).toEqual(DOCUMENTS.map((d) => d.path));
  });

  test.each(DOCUMENTS.map((d) => d.path))('%s is up to date', (path) => {
    const expected = rendered.find((d) => d.path === path)!.text;
    let current = '';
    try {
      current = readFileSync(join(repoRoot(), path), 'utf8');
    } catch {
      // missing: reported below like any other difference
    }
    if (current !== expected) throw new Error(`${path} is out of date: run \`npm run docs:generate\`${firstDifference(current, expected)}`);
  });

  test('generation is deterministic', () => {
    expect(renderAll()).toEqual(rendered);
  });
});

/** Where the committed file first differs from the generated one, so the failure says what changed. */
function firstDifference(current: string, expected: string): string {
  const a = current.split('\n');
  const b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return ` (first difference at line ${i + 1}:\n  file:      ${a[i] ?? '<end of file>'}\n  generated: ${b[i] ?? '<end of file>'})`;
  }
  return '';
}
