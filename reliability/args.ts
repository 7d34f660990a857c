import type { Scale } from './scenario';
import { SCENARIOS } from './scenarios';

/** The reliability CLI's arguments (reliability/run.ts), apart so that they are unit-tested without a stack. */

export const USAGE = `usage: npm run reliability -- <${Object.keys(SCENARIOS).join('|')}|all> [--scale tiny|short|full] [--shared-stack] [--json <file>]`;

export interface Args { names: string[]; scale: Scale; sharedStack: boolean; json?: string }

/** Parses the command line; a string is the message for a mistake, naming the argument. */
export function parseArgs(argv: string[]): Args | string {
  const positional: string[] = [];
  let scale: string = 'full';
  let sharedStack = false;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--scale') scale = argv[++i] ?? '(nothing)';
    else if (arg === '--json') json = argv[++i];
    else if (arg === '--shared-stack') sharedStack = true;
    else if (arg.startsWith('--')) return `unknown option ${arg}\n${USAGE}`;
    else positional.push(arg);
  }
  if (scale !== 'tiny' && scale !== 'short' && scale !== 'full') return `--scale must be tiny, short or full, not ${scale}\n${USAGE}`;
  if (json === undefined && argv.includes('--json')) return `--json needs a file name\n${USAGE}`;
  if (positional.length !== 1) return `name one scenario, or all\n${USAGE}`;
  const names = positional[0]!.split(',');
  const unknown = names.find((n) => n !== 'all' && !SCENARIOS[n]);
  if (unknown) return `unknown scenario ${unknown}\n${USAGE}`;
  return { names: names.includes('all') ? Object.keys(SCENARIOS) : names, scale, sharedStack, json };
}
