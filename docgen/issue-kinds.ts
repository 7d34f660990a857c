import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo';
import { stringUnion } from './ts-source';

/**
 * The issue kinds, from both places that define them: the `IssueKind` union in engine/issues.ts and the CHECK
 * constraint on integration.issue.kind as the last migration that sets it leaves it.
 */

export function issueKindsInCode(): Array<{ value: string; doc: string }> {
  return stringUnion('engine/issues.ts', 'IssueKind');
}

export function issueKindsInSchema(): string[] {
  const dir = join(repoRoot(), 'db', 'migrations');
  let kinds: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = readFileSync(join(dir, name), 'utf8');
    // The table's first definition (kind text NOT NULL CHECK (...)) and every later issue_kind_check replace the list.
    const patterns = [
      /CREATE TABLE[^;]*integration\.issue\s*\([^;]*?\bkind\s+text[^,]*?CHECK\s*\(\s*kind\s+IN\s*\(([^)]*)\)/gi,
      /ADD CONSTRAINT issue_kind_check\s+CHECK\s*\(\s*kind\s+IN\s*\(([^)]*)\)/gi,
    ];
    for (const pattern of patterns) {
      for (const match of sql.matchAll(pattern)) kinds = [...match[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    }
  }
  return kinds;
}
