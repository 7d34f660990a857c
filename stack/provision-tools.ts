import { GO_TOOLS } from './go-tools';
import { ensureGoTool } from './go-install';

/**
 * `node dist/stack/provision-tools.js [temporal-cli|stripe-mock|compose-check ...]`: builds the named Go tools (all
 * without arguments) into their caches ahead of time and prints where each is. npm start and the tests build them
 * on demand anyway; CI calls this to show how long each build takes.
 */
async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in GO_TOOLS));
  if (unknown.length > 0) throw new Error(`unknown tool ${unknown.join(', ')}; known: ${Object.keys(GO_TOOLS).join(', ')}`);
  for (const name of names.length > 0 ? names : Object.keys(GO_TOOLS)) {
    const path = await ensureGoTool(GO_TOOLS[name]!(), (line) => console.log(line));
    console.log(`${name}: ${path}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
