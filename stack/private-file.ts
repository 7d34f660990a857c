import { chmodSync, writeFileSync } from 'node:fs';

/**
 * Writes a file only its owner may read (0600). The mode of writeFileSync applies only when it creates the file, so a
 * file left readable by an older version is tightened too.
 */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
