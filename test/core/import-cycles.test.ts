/**
 * No import cycle between the folders of core/src: each folder (model,
 * goodness, kernel, pool, samfire, host, ...) is a layer that imports only
 * the layers below it. Every import counts, `import type` too (a type is a
 * dependency on the folder that declares it). Read with the TypeScript
 * parser, so comments and strings that look like imports do not count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../core/src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of a core file ('(root)' for index.ts and the like). */
function folderOf(path: string): string {
  const parts = relative(CORE, path).split(/[/\\]/);
  return parts.length > 1 ? parts[0]! : '(root)';
}

/** The relative module specifiers a file imports or re-exports, statically or dynamically. */
function specifiers(path: string): string[] {
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** folder -> folder -> the imports ("file: specifier") that make the edge. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sources(CORE)) {
    const from = folderOf(file);
    for (const spec of specifiers(file)) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${relative(CORE, file)}: ${spec}`]);
    }
  }
  return graph;
}

/** The strongly connected components of more than one folder (Tarjan), each sorted. */
function cyclesOf(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Cycles not untangled yet: none (a new cycle fails the test). */
const KNOWN_CYCLES: string[][] = [];

describe('core folder imports', () => {
  const graph = folderGraph();
  const edges = (from: string, to: string): string[] => graph.get(from)?.get(to) ?? [];

  it('sees the folders and their imports', () => {
    expect(edges('samfire', 'pool').length).toBeGreaterThan(3);
    expect(edges('pool', 'kernel')).toContain('pool/in-process-pool.ts: ../kernel/kernel.js');
    expect(edges('kernel', 'goodness').length).toBeGreaterThan(0);
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([
      ['a', new Map([['b', []]])],
      ['b', new Map([['c', []]])],
      ['c', new Map([['a', []]])],
      ['d', new Map([['a', []]])],
    ]);
    expect(cyclesOf(g)).toEqual([['a', 'b', 'c']]);
    expect(cyclesOf(new Map([['a', new Map([['b', []]])]]))).toEqual([]);
  });

  it('keeps samfire above pool, pool above the kernel, the kernel above the goodness tests', () => {
    expect(edges('pool', 'samfire')).toEqual([]);
    expect(edges('kernel', 'pool')).toEqual([]);
    expect(edges('kernel', 'samfire')).toEqual([]);
    expect(edges('goodness', 'kernel')).toEqual([]);
    expect(edges('goodness', 'samfire')).toEqual([]);
    expect(edges('io', 'pool')).toEqual([]);
  });

  it('has no import cycle between folders but the known ones', () => {
    const cycles = cyclesOf(graph).map((c) => {
      const why = c.flatMap((from) =>
        c.flatMap((to) => edges(from, to).map((e) => `${from} -> ${to} (${e})`)),
      );
      return { folders: c, why };
    });
    const report = cycles.map((c) => c.why.join('\n')).join('\n\n');
    expect(
      cycles.map((c) => c.folders),
      report,
    ).toEqual(KNOWN_CYCLES);
  });
});
