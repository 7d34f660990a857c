import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAll } from './documents';
import { repoRoot } from './repo';

/**
 * `npm run docs:generate`: writes the documents made from the code (architecture, data mapping, OpenAPI and API,
 * runbook). `--check` writes nothing and exits 1 naming each document that is out of date.
 */
async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const root = repoRoot();
  const stale: string[] = [];
  for (const doc of await renderAll()) {
    const file = join(root, doc.path);
    let current: string | null = null;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // a document not written yet
    }
    if (current === doc.text) continue;
    stale.push(doc.path);
    if (!check) writeFileSync(file, doc.text);
  }
  if (check) {
    for (const path of stale) console.error(`${path} is out of date: run \`npm run docs:generate\``);
    return stale.length > 0 ? 1 : 0;
  }
  console.log(stale.length > 0 ? `written: ${stale.join(', ')}` : 'every document is up to date');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`docs:generate failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
