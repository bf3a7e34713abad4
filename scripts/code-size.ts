/**
 * The longest files and functions of a source tree, in lines (a function
 * counts from its first to its last line, nested functions included):
 * `npx tsx scripts/code-size.ts [how many] [folder ...]` (default: core/src).
 * A Svelte file counts whole, and its `<script>` blocks are read for
 * functions. Generated data (`eds/xray-data.ts`) is left out.
 * ARCHITECTURE.md ("Measurements") and docs/engine.md record them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const GENERATED = ['core/src/eds/xray-data.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(path) && !path.endsWith('.d.ts') ? [path] : [];
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

/** The TypeScript of a file with the line each part starts on (Svelte: its script blocks). */
function scripts(path: string, text: string): [string, number][] {
  if (!path.endsWith('.svelte')) return [[text, 0]];
  const out: [string, number][] = [];
  for (const m of text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = m.index + m[0].indexOf('>') + 1;
    out.push([m[1]!, text.slice(0, start).split('\n').length - 1]);
  }
  return out;
}

const [topArg, ...roots] = process.argv.slice(2);
const top = Number(topArg ?? 8);
const files: [number, string][] = [];
const functions: [number, string][] = [];
for (const root of roots.length > 0 ? roots : ['core/src']) {
  for (const path of sources(join(ROOT, root))) {
    const where = relative(ROOT, path);
    if (GENERATED.includes(where)) continue;
    const text = readFileSync(path, 'utf8');
    files.push([text.split('\n').length - (text.endsWith('\n') ? 1 : 0), where]);
    for (const [code, offset] of scripts(path, text)) {
      const sf = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const last = sf.getLineAndCharacterOfPosition(node.end).line;
          functions.push([
            last - first + 1,
            `${where}:${first + offset + 1} ${functionName(node, sf)}`,
          ]);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
}
const show = (title: string, rows: [number, string][]): void => {
  console.log(title);
  for (const [lines, what] of rows.sort((a, b) => b[0] - a[0]).slice(0, top))
    console.log(`  ${lines}\t${what}`);
};
show('files', files);
show('functions', functions);
