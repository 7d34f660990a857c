import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, found the same way from sources (ts-jest) and from compiled output (dist/). */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'db', 'migrations');
export const dataDir = (configured: string) => resolve(PROJECT_ROOT, configured);
