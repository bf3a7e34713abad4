/**
 * The longest files and functions of core/src, in lines (a function counts
 * from its first to its last line, nested functions included):
 * `npx tsx scripts/code-size.ts [how many]`. docs/engine.md records them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const CORE = fileURLToPath(new URL('../core/src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function functionName(node: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText(sf);
  return '<anonymous>';
}

const top = Number(process.argv[2] ?? 8);
const files: [number, string][] = [];
const functions: [number, string][] = [];
for (const path of sources(CORE)) {
  const text = readFileSync(path, 'utf8');
  const where = relative(CORE, path);
  files.push([text.split('\n').length - (text.endsWith('\n') ? 1 : 0), where]);
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.end).line;
      functions.push([last - first + 1, `${where}:${first + 1} ${functionName(node, sf)}`]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
const show = (title: string, rows: [number, string][]): void => {
  console.log(title);
  for (const [lines, what] of rows.sort((a, b) => b[0] - a[0]).slice(0, top))
    console.log(`  ${lines}\t${what}`);
};
show('files', files);
show('functions', functions);
