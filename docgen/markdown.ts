/** Small Markdown helpers: every generated table and list goes through them, so the output is uniform. */

/** A cell: pipes escaped, line breaks folded, so a value never breaks its table. */
export function cell(text: string): string {
  return text.replace(/\r?\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

export const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

export function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** Natural order for names ("step-10" after "step-9"), locale-independent so the output is the same everywhere. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Fills `<!-- generated:name -->` markers in a template with the named sections; a missing or unused section is an error. */
export function fillTemplate(templateName: string, template: string, sections: Record<string, string>): string {
  const used = new Set<string>();
  const filled = template.replace(/<!-- generated:([a-z0-9-]+) -->/g, (_m, name: string) => {
    const section = sections[name];
    if (section === undefined) throw new Error(`docgen: template ${templateName} asks for section "${name}", which no generator provides`);
    used.add(name);
    return `<!-- generated from the code: ${name} (npm run docs:generate) -->\n${section.trim()}\n<!-- end of generated: ${name} -->`;
  });
  const unused = Object.keys(sections).filter((s) => !used.has(s));
  if (unused.length > 0) throw new Error(`docgen: template ${templateName} lacks markers for ${unused.map((u) => `<!-- generated:${u} -->`).join(', ')}`);
  return `${filled.trimEnd()}\n`;
}
