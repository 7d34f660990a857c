import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo';

/** The columns the migrations create (`<schema>.<table>.<column>`), to check that the documents name real ones. */
export function schemaColumns(): Set<string> {
  const dir = join(repoRoot(), 'db', 'migrations');
  const columns = new Set<string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = readFileSync(join(dir, name), 'utf8').replace(/--[^\n]*/g, '');
    for (const match of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+\.[a-z_]+)\s*\(([\s\S]*?)\n\);/gi)) {
      for (const line of match[2]!.split('\n')) {
        const column = /^\s*([a-z_][a-z0-9_]*)\s+(?!KEY\b)[a-z]/i.exec(line)?.[1];
        if (column && !/^(PRIMARY|UNIQUE|CHECK|CONSTRAINT|FOREIGN|EXCLUDE)$/i.test(column)) columns.add(`${match[1]}.${column}`.toLowerCase());
      }
    }
    for (const match of sql.matchAll(/ALTER TABLE (?:IF EXISTS )?([a-z_]+\.[a-z_]+)([\s\S]*?);/gi)) {
      for (const added of match[2]!.matchAll(/ADD COLUMN (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)/gi)) columns.add(`${match[1]}.${added[1]}`.toLowerCase());
      for (const renamed of match[2]!.matchAll(/RENAME COLUMN ([a-z_][a-z0-9_]*) TO ([a-z_][a-z0-9_]*)/gi)) {
        columns.delete(`${match[1]}.${renamed[1]}`.toLowerCase());
        columns.add(`${match[1]}.${renamed[2]}`.toLowerCase());
      }
      for (const dropped of match[2]!.matchAll(/DROP COLUMN (?:IF EXISTS )?([a-z_][a-z0-9_]*)/gi)) columns.delete(`${match[1]}.${dropped[1]}`.toLowerCase());
    }
  }
  return columns;
}
