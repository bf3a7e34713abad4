/**
 * The layer rules of ../shared/docs/style.md, checked on the sources: core
 * never imports Electron, Svelte, ECharts or the DOM; pure core modules never
 * import Node built-ins (only folders named `node/`, the CLI and benchmarks may).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../core/src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

const NODE_BUILTINS = /^(node:|fs$|path$|os$|child_process$|worker_threads$|crypto$|url$|process$)/;

describe('core layering', () => {
  const files = sources(CORE);

  it('finds the core sources', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('never imports Electron, Svelte, ECharts or DOM code', () => {
    const bad = files.flatMap((f) =>
      imports(f)
        .filter((i) => /^(electron|svelte|echarts)(\/|$)/.test(i) || i.includes('renderer/'))
        .map((i) => `${relative(CORE, f)} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('uses Node built-ins only under node/, cli/ and bench/', () => {
    const pure = files.filter(
      (f) => !/[/\\](node|cli|bench)[/\\]/.test(relative(CORE, f).replace(/^/, '/')),
    );
    const bad = pure.flatMap((f) =>
      imports(f)
        .filter((i) => NODE_BUILTINS.test(i) || /\/node\//.test(i))
        .map((i) => `${relative(CORE, f)} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('does not use the DOM in pure modules', () => {
    // Comments may mention the renderer's `window.samfire`; code may not touch the DOM.
    const code = (f: string): string =>
      readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
    const bad = files
      .filter((f) => /\b(document|window)\.\w/.test(code(f)))
      .map((f) => relative(CORE, f));
    expect(bad).toEqual([]);
  });
});
