import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Where the project's sources are, whether the generators run from `docgen/` (tests, ts-jest) or from
 * `dist/docgen/` (`npm run docs:generate`): the nearest folder up with the project's package.json.
 */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'docgen'))) return dir;
    if (dirname(dir) === dir) throw new Error(`docgen: no project root (package.json next to docgen/) above ${from}`);
  }
}

/** A source file's text, by its path from the project root. */
export function readSource(path: string): string {
  return readFileSync(join(repoRoot(), path), 'utf8');
}

export function sourceExists(path: string): boolean {
  return existsSync(join(repoRoot(), path));
}

/** The TypeScript files of a folder (recursively, sorted, paths from the root, tests excluded). */
export function sourceFiles(folder: string): string[] {
  const root = repoRoot();
  const base = join(root, folder);
  if (!existsSync(base)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(base);
  return found;
}

/** Sub-folders of a folder, sorted. */
export function subfolders(folder: string): string[] {
  const base = join(repoRoot(), folder);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}
