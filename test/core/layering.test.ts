/**
 * The layer rules of ARCHITECTURE.md ("Layers"), checked on the sources: core
 * never imports Electron, Svelte, ECharts or the DOM; pure core modules never
 * import Node built-ins (only folders named `node/`, the CLI and benchmarks may).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/**
 * Tests reach core through its entry points (`@samfire/core`, `/api`, `/host`,
 * `/node`); a test may import by path only what no entry point exports (the
 * internals it tests, or builds broken files with). Checked on declarations,
 * so a name re-exported under a barrel or another name counts as exported.
 */
describe('tests import core through its entry points', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const ENTRIES: Record<string, string> = {
    '@samfire/core': 'core/src/index.ts',
    '@samfire/core/api': 'core/src/api/index.ts',
    '@samfire/core/host': 'core/src/host/index.ts',
    '@samfire/core/node': 'core/src/node/index.ts',
  };
  // tsc compiles these with core's sources into one tree, to run as plain
  // JavaScript (test/bench/samfire-bench.ts), so they import core by path.
  const COMPILED_WITH_CORE = ['samfire-run.ts', 'bench-cases.ts', 'prepared-pool.ts'].map((f) =>
    join(ROOT, 'test/bench', f),
  );
  const VIRTUAL = join(ROOT, 'test/core/deep-import-probe.ts');
  const PROBE = [
    "import { Signal } from '../../core/src/model/signal.js';",
    "import { gaussian } from '../../core/src/components/gaussian.js';",
    "import { FITTED as F, countDone } from '../../core/src/samfire/marker.js';",
    "import type { ModelState } from '../../core/src/api/types.js';",
    'export const probe = [Signal, gaussian, F, countDone, null as ModelState | null];',
  ].join('\n');

  /** "file: name from spec is exported by entry" for every deep import of a public name. */
  function deepImportsOfPublicNames(): { found: number; problems: string[] } {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'test/tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    )!;
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === VIRTUAL
        ? ts.createSourceFile(name, PROBE, version)
        : getSourceFile(name, version, ...rest);
    const roots = [
      ...config.fileNames,
      ...Object.values(ENTRIES).map((f) => join(ROOT, f)),
      VIRTUAL,
    ];
    const program = ts.createProgram(roots, config.options, host);
    const checker = program.getTypeChecker();
    const original = (s: ts.Symbol | undefined): ts.Symbol | undefined => {
      while (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      return s;
    };
    const exported = new Map<ts.Symbol, string>();
    for (const [name, file] of Object.entries(ENTRIES)) {
      const entry = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, file))!)!;
      for (const e of checker.getExportsOfModule(entry)) {
        const o = original(e);
        if (o && !exported.has(o)) exported.set(o, name);
      }
    }
    let found = 0;
    const problems: string[] = [];
    for (const sf of program.getSourceFiles()) {
      const file = sf.fileName;
      if (!file.startsWith(join(ROOT, 'test')) || COMPILED_WITH_CORE.includes(file)) continue;
      const where = relative(ROOT, file);
      const visit = (node: ts.Node): void => {
        if (
          ts.isCallExpression(node) &&
          node.expression.kind === ts.SyntaxKind.ImportKeyword &&
          node.arguments[0] &&
          ts.isStringLiteral(node.arguments[0]) &&
          node.arguments[0].text.includes('core/src/')
        ) {
          problems.push(`${where}: import('${node.arguments[0].text}'): use an entry point`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
      for (const st of sf.statements) {
        if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st))) continue;
        const spec = st.moduleSpecifier;
        if (!spec || !ts.isStringLiteral(spec) || !spec.text.includes('core/src/')) continue;
        found++;
        const bindings = ts.isImportDeclaration(st)
          ? st.importClause?.namedBindings
          : st.exportClause;
        if (!bindings || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings)) {
          problems.push(`${where}: ${spec.text}: name what you import`);
          continue;
        }
        for (const element of bindings.elements) {
          const entry = exported.get(original(checker.getSymbolAtLocation(element.name))!);
          if (entry) {
            const name = (element.propertyName ?? element.name).text;
            problems.push(`${where}: ${name} from '${spec.text}' is exported by '${entry}'`);
          }
        }
      }
    }
    return { found, problems };
  }

  const { found, problems } = deepImportsOfPublicNames();
  const probe = (p: string): boolean => p.startsWith(relative(ROOT, VIRTUAL));

  it('sees deep imports, and flags public names however they are reached', () => {
    expect(found).toBeGreaterThan(10);
    expect(problems.filter(probe)).toEqual([
      "test/core/deep-import-probe.ts: Signal from '../../core/src/model/signal.js' is exported by '@samfire/core'",
      "test/core/deep-import-probe.ts: gaussian from '../../core/src/components/gaussian.js' is exported by '@samfire/core'",
      "test/core/deep-import-probe.ts: FITTED from '../../core/src/samfire/marker.js' is exported by '@samfire/core'",
      "test/core/deep-import-probe.ts: ModelState from '../../core/src/api/types.js' is exported by '@samfire/core/api'",
    ]);
  });

  it('imports by path only what no entry point exports', () => {
    expect(problems.filter((p) => !probe(p))).toEqual([]);
  });
});

/**
 * core/tsconfig.pure.json compiles the pure modules with ES2022 and the
 * host-neutral web globals (core/src/web-globals.d.ts) only, so a Node or
 * DOM global in a pure module is a compile error (`npm run typecheck`).
 */
describe('pure modules compile without Node', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(CORE, '../tsconfig.pure.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;

  it('takes every module outside node/ and cli/, with no Node or DOM types', () => {
    expect(config.errors).toEqual([]);
    expect(config.options.types).toEqual([]);
    expect(config.options.lib).toEqual(['lib.es2022.d.ts']);
    const pure = sources(CORE)
      .map((f) => relative(CORE, f))
      .filter((f) => !/(^|[/\\])(node|cli)[/\\]/.test(f));
    expect(pure).toContain('web-globals.d.ts');
    expect(pure).toContain('samfire/engine.ts');
    expect(config.fileNames.map((f) => relative(CORE, f)).sort()).toEqual(pure.sort());
  });

  it('rejects Buffer, process and the DOM in a pure module, and accepts the web globals', () => {
    const probe = join(CORE, 'model/node-probe.ts');
    const lines = [
      'export const pid: number = process.pid;',
      "export const bytes = Buffer.from('x');",
      'export const title: string = document.title;',
      "export const text: string = new TextDecoder().decode(new TextEncoder().encode('x'));",
      'export const timer = setTimeout(() => clearTimeout(timer), 0);',
    ];
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === probe
        ? ts.createSourceFile(name, lines.join('\n'), version)
        : getSourceFile(name, version, ...rest);
    const program = ts.createProgram([probe, join(CORE, 'web-globals.d.ts')], config.options, host);
    const errors = program.getSemanticDiagnostics(program.getSourceFile(probe)).map((d) => {
      const line = d.file!.getLineAndCharacterOfPosition(d.start!).line + 1;
      return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('.')[0]}`;
    });
    expect(errors).toEqual([
      "1: Cannot find name 'process'",
      "2: Cannot find name 'Buffer'",
      "3: Cannot find name 'document'",
    ]);
  });
});
