import ts from 'typescript';
import { readSource } from './repo';

/**
 * What the generators read from the TypeScript sources themselves (interfaces, string unions, message definitions,
 * imports): the things that exist only as types, which no runtime registry can list.
 */

const parsed = new Map<string, ts.SourceFile>();

export function parse(path: string): ts.SourceFile {
  let file = parsed.get(path);
  if (!file) {
    file = ts.createSourceFile(path, readSource(path), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    parsed.set(path, file);
  }
  return file;
}

/** The first paragraph of a node's JSDoc, on one line ('' without one). */
export function docOf(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  const comment = docs?.[docs.length - 1]?.comment;
  const text = typeof comment === 'string' ? comment : (comment ?? []).map((c) => c.text).join('');
  return text.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, ' ').trim();
}

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

export interface MemberInfo { name: string; signature: string; optional: boolean; doc: string }
export interface InterfaceInfo { name: string; file: string; doc: string; members: MemberInfo[]; extends: string[] }

/** Exported interfaces of a file, with their members (methods and properties) and JSDoc. */
export function interfacesOf(path: string): InterfaceInfo[] {
  const file = parse(path);
  const found: InterfaceInfo[] = [];
  for (const statement of file.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !isExported(statement)) continue;
    const members = statement.members.map((m): MemberInfo => {
      const name = m.name ? m.name.getText(file) : '(call)';
      const optional = !!(m as { questionToken?: ts.Node }).questionToken;
      let signature: string;
      if (ts.isMethodSignature(m)) {
        signature = `${name}(${m.parameters.map((p) => p.getText(file)).join(', ')})${m.type ? `: ${m.type.getText(file)}` : ''}`;
      } else if (ts.isPropertySignature(m)) {
        signature = `${name}${optional ? '?' : ''}: ${m.type?.getText(file) ?? 'unknown'}`;
      } else {
        signature = m.getText(file);
      }
      return { name, signature: signature.replace(/\s+/g, ' '), optional, doc: docOf(m) };
    });
    const heritage = (statement.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.getText(file)));
    found.push({ name: statement.name.text, file: path, doc: docOf(statement), members, extends: heritage });
  }
  return found;
}

/** The string literals of an exported union type alias (`type Kind = 'a' | 'b'`), each with its JSDoc. */
export function stringUnion(path: string, typeName: string): Array<{ value: string; doc: string }> {
  const file = parse(path);
  const alias = file.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === typeName);
  if (!alias) throw new Error(`docgen: ${path} declares no type ${typeName}`);
  const values: Array<{ value: string; doc: string }> = [];
  const visit = (node: ts.TypeNode) => {
    if (ts.isUnionTypeNode(node)) node.types.forEach(visit);
    else if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) values.push({ value: node.literal.text, doc: docOf(node) || leadingComment(file, node) });
    else if (ts.isParenthesizedTypeNode(node)) visit(node.type);
  };
  visit(alias.type);
  return values;
}

/** A `/** … *\/` comment written right before a union member (the parser attaches JSDoc to declarations only). */
function leadingComment(file: ts.SourceFile, node: ts.Node): string {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const last = ranges[ranges.length - 1];
  if (!last) return '';
  const text = file.text.slice(last.pos, last.end);
  if (!text.startsWith('/**')) return '';
  return text.replace(/^\/\*\*|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join(' ').replace(/\s+/g, ' ').trim();
}

export interface MessageInfo {
  kind: 'signal' | 'update' | 'query';
  /** The exported constant, e.g. `shopOrderChangedSignal`. */
  constant: string;
  /** The name Temporal knows it by, e.g. `shopOrderChanged`. */
  name: string;
  /** The type arguments as written: update `<Result, [Args]>`, signal `<[Args]>`, query `<Result>`. */
  args: string;
  result: string;
  doc: string;
  file: string;
}

/** Every `export const x = defineSignal|defineUpdate|defineQuery<…>('name')` of a file. */
export function messagesOf(path: string): MessageInfo[] {
  const file = parse(path);
  const found: MessageInfo[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement) || !isExported(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      const init = decl.initializer;
      if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) continue;
      const kind = ({ defineSignal: 'signal', defineUpdate: 'update', defineQuery: 'query' } as const)[init.expression.text as 'defineSignal'];
      const nameArg = init.arguments[0];
      if (!kind || !nameArg || !ts.isStringLiteral(nameArg)) continue;
      const typeArgs = (init.typeArguments ?? []).map((t) => t.getText(file).replace(/\s+/g, ' '));
      const args = kind === 'signal' ? typeArgs[0] ?? '[]' : kind === 'update' ? typeArgs[1] ?? '[]' : typeArgs[1] ?? '[]';
      const result = kind === 'signal' ? '–' : typeArgs[0] ?? 'unknown';
      found.push({ kind, constant: decl.name.getText(file), name: nameArg.text, args, result, doc: docOf(statement), file: path });
    }
  }
  return found;
}

/** The names a file imports from modules whose path matches `from`, e.g. the ports an activity uses. */
export function importsFrom(path: string, from: RegExp): string[] {
  const file = parse(path);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !from.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
  }
  return names;
}

/** Classes of a file with the interfaces they implement. */
export function implementationsOf(path: string): Array<{ className: string; implements: string[] }> {
  const file = parse(path);
  const found: Array<{ className: string; implements: string[] }> = [];
  for (const statement of file.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    const implemented = (statement.heritageClauses ?? [])
      .filter((h) => h.token === ts.SyntaxKind.ImplementsKeyword)
      .flatMap((h) => h.types.map((t) => t.expression.getText(file)));
    if (implemented.length > 0) found.push({ className: statement.name.text, implements: implemented });
  }
  return found;
}

/** Identifiers used as `<identifier>.name` in a file (how the relay's routes name the messages they send). */
export function dottedNameUses(path: string): string[] {
  const file = parse(path);
  const used = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'name' && ts.isIdentifier(node.expression)) used.add(node.expression.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...used];
}

/** The string values of one property across a union of object types (`type D = { action: 'a' } | { action: 'b'; … }`). */
export function unionTags(path: string, typeName: string, property: string): Array<{ value: string; doc: string }> {
  const file = parse(path);
  const alias = file.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === typeName);
  if (!alias) throw new Error(`docgen: ${path} declares no type ${typeName}`);
  const tags: Array<{ value: string; doc: string }> = [];
  const visit = (node: ts.TypeNode) => {
    if (ts.isUnionTypeNode(node)) return node.types.forEach(visit);
    if (ts.isParenthesizedTypeNode(node)) return visit(node.type);
    if (!ts.isTypeLiteralNode(node)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || member.name.getText(file) !== property || !member.type) continue;
      const literals = ts.isUnionTypeNode(member.type) ? member.type.types : [member.type];
      for (const literal of literals) {
        if (ts.isLiteralTypeNode(literal) && ts.isStringLiteral(literal.literal)) tags.push({ value: literal.literal.text, doc: leadingComment(file, node) });
      }
    }
  };
  visit(alias.type);
  return tags;
}
