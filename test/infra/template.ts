import fs from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

/**
 * Reading the Bicep templates as text. Bicep cannot be compiled here (its CLI is a download), so the tests parse
 * the syntax with tree-sitter-bicep and read the names the code relies on with these helpers; IT still runs
 * `az bicep build` and `what-if` (README, docs/deploy.md).
 */

export const root = path.join(__dirname, '../..');
export const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The entries of `var <name> = { … }` (one `key: value` a line, comments skipped), values as written. */
export function objectVar(template: string, name: string): Map<string, string> {
  const body = new RegExp(`^var ${name} = \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(template)?.[1];
  if (body === undefined) throw new Error(`no "var ${name} = {" block`);
  return new Map([...body.matchAll(/^ {2}'?([\w.]+)'?: (.+)$/gm)].map((m) => [m[1], m[2].trim()] as const));
}

/** A single-quoted Bicep string literal's text, or undefined for any other expression. */
export const literal = (expression: string | undefined) => /^'([^'$]*)'$/.exec(expression ?? '')?.[1];

/** The body of `resource <symbol> '<type>' … = … {` up to its closing brace; `indent` for a nested resource. */
export function resourceBody(template: string, symbol: string, indent = ''): string {
  const body = new RegExp(
    `^${indent}resource ${symbol} '[^']+'[^\\n]*\\{\\n([\\s\\S]*?)^${indent}\\}`,
    'm',
  ).exec(template)?.[1];
  if (body === undefined) throw new Error(`no resource ${symbol}`);
  return body;
}

/**
 * tree-sitter-bicep 1.1.0 predates the `extension` statement (Bicep's name for what was `import`/`provider`), so
 * that one line is checked by the caller and blanked here before parsing.
 */
export async function syntaxProblems(template: string): Promise<{ problems: string[]; resources: number }> {
  await Parser.init();
  const language = await Language.load(
    fs.readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')),
  );
  const parser = new Parser();
  parser.setLanguage(language);
  const tree = parser.parse(template.replace(/^extension \w+$/gm, (line) => ' '.repeat(line.length)))!;
  const problems: string[] = [];
  const walk = (node: Node) => {
    if (node.type === 'ERROR' || node.isMissing)
      problems.push(`line ${node.startPosition.row + 1}: ${node.type}`);
    for (const child of node.children) if (child) walk(child);
  };
  walk(tree.rootNode);
  return { problems, resources: tree.rootNode.descendantsOfType('resource_declaration').length };
}
