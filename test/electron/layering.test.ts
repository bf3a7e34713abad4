/**
 * The layer rules for the shells (ARCHITECTURE.md, "Layers"): the
 * renderer never imports Node built-ins, Electron or core's Node-only
 * modules; the preload imports only `electron` and core's api contract
 * (`@samfire/core/api`); the main process and workers never import the
 * renderer, and reach core only through its entry points. (Core's own rules are
 * in test/core/layering.test.ts.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(path) ? [path] : [];
  });
}

function imports(path: string): string[] {
  return importsIn(readFileSync(path, 'utf8'));
}

function importsIn(text: string): string[] {
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

const NODE =
  /^(node:|fs$|path$|os$|child_process$|worker_threads$|crypto$|url$|process$|http$|net$|events$|ws$)/;

function offenders(dir: string, bad: (spec: string) => boolean): string[] {
  return sources(join(ROOT, dir)).flatMap((f) =>
    imports(f)
      .filter(bad)
      .map((i) => `${relative(ROOT, f)} imports ${i}`),
  );
}

describe('shell layering', () => {
  it('finds the sources', () => {
    expect(sources(join(ROOT, 'renderer/src')).length).toBeGreaterThan(5);
    expect(sources(join(ROOT, 'electron')).length).toBeGreaterThan(5);
  });

  it('renderer: no Node built-ins, no Electron, no Node-only core', () => {
    expect(
      offenders(
        'renderer/src',
        (i) =>
          NODE.test(i) ||
          /^electron(\/|$)/.test(i) ||
          /\/node\//.test(i) ||
          /\/(cli|bench)\//.test(i),
      ),
    ).toEqual([]);
  });

  it('renderer: from core, only the api contract (and pure types), through entry points', () => {
    // `import type { ... } from '@samfire/core'` compiles away; any other import of it is a value.
    const valueImports = (f: string): string[] =>
      importsIn(
        readFileSync(f, 'utf8').replace(
          /\bimport\s+type\s[^'"]*?from\s+['"]@samfire\/core['"]/g,
          '',
        ),
      );
    const bad = sources(join(ROOT, 'renderer/src')).flatMap((f) =>
      imports(f)
        .filter((i) => i.includes('core/src/') || /^@samfire\/core\/(?!api$)/.test(i))
        .concat(valueImports(f).filter((i) => i === '@samfire/core'))
        .map((i) => `${relative(ROOT, f)} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('preload: only electron and the api contract (it is bundled and sandboxed)', () => {
    expect(
      offenders('electron/preload', (i) => !(i === 'electron' || i === '@samfire/core/api')),
    ).toEqual([]);
  });

  it('main and workers: core only through its entry points', () => {
    expect(offenders('electron', (i) => i.includes('core/src/'))).toEqual([]);
  });

  it('main and workers: never the renderer or Svelte', () => {
    expect(
      offenders('electron', (i) => i.includes('renderer/') || /^(svelte|echarts)(\/|$)/.test(i)),
    ).toEqual([]);
  });
});
