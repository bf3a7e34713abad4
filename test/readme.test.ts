/**
 * The README's examples, run as they are written, so the README cannot drift
 * from the code:
 * - every ```ts block is type-checked (with the project's compiler options)
 *   and run with tsx, each as a module of its own in a temporary directory
 *   where `@samfire/core` is the real package (core/, linked as npm links a
 *   workspace), resolved to its sources by the `@samfire/source` condition;
 * - every `npx samfire ...` line of the ```sh blocks runs, in order, on
 *   HyperSpy's seed file of the 7x15x400 domain case (as seed.hspy) and a
 *   DM4 sample (as file.dm4) and the real EDS map (as eds.hspy), through
 *   the CLI's sources.
 * The other shell lines (npm ci, npm start, ...) install or start the app
 * and are left to CI and to people.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from './helpers/reference.js';
import { writeClMap } from './helpers/cl-map.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const TSX = import.meta.resolve('tsx');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const NODE_TS = ['--conditions=@samfire/source', '--import', TSX];

interface Block {
  /** 1-based line of the block's first line of code in README.md. */
  line: number;
  code: string;
}

function blocks(language: string): Block[] {
  return [...README.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)]
    .filter((m) => m[1] === language)
    .map((m) => ({ line: README.slice(0, m.index).split('\n').length + 1, code: m[2]! }));
}

/** The `npx samfire ...` commands of the sh blocks: continuations joined, comments dropped. */
function samfireCommands(): string[][] {
  return blocks('sh')
    .flatMap((b) => b.code.replace(/\\\n\s*/g, '').split('\n'))
    .map((l) => l.replace(/\s#.*$/, '').trim())
    .filter((l) => l.startsWith('npx samfire '))
    .map((l) => l.split(/\s+/).slice(2));
}

function run(args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const examples = blocks('ts');
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samfire-readme-'));
  mkdirSync(join(dir, 'node_modules/@samfire'), { recursive: true });
  symlinkSync(join(ROOT, 'core'), join(dir, 'node_modules/@samfire/core'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  examples.forEach((b, i) => writeFileSync(join(dir, `example-${i}.ts`), b.code));
  copyFileSync(join(SHARED, 'data/reference/domain-7x15x400/seed.hspy'), join(dir, 'seed.hspy'));
  copyFileSync(join(SHARED, 'data/io/dm4/3D_test-1.dm4'), join(dir, 'file.dm4'));
  copyFileSync(join(SHARED, 'data/real/eds-agcu-50x50-seed.hspy'), join(dir, 'eds.hspy'));
  await writeClMap(join(dir, 'cl.hspy'), { rows: 2, cols: 3 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the README', () => {
  it('has the examples this test runs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.every((b) => b.code.includes("from '@samfire/core"))).toBe(true);
    expect(samfireCommands().map((c) => c[0])).toEqual([
      'demo',
      'run',
      'run',
      'info',
      'export',
      'convert',
      'eds',
    ]);
  });

  it('type-checks every TypeScript example', () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: {
          lib: ['ES2022'],
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
          noEmit: true,
        },
        include: ['example-*.ts'],
      }),
    );
    const r = run([TSC, '-p', join(dir, 'tsconfig.json')], dir);
    const where = r.output.replace(/example-(\d+)\.ts\((\d+)/g, (_, i: string, line: string) => {
      return `README.md line ${examples[Number(i)]!.line + Number(line) - 1} (example ${i}, line ${line}`;
    });
    expect(where).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it.each(examples.map((b, i) => [b.line, i] as const))(
    'runs the TypeScript example at line %i',
    (_line, i) => {
      const r = run([...NODE_TS, `example-${i}.ts`], dir);
      expect(r.status === 0 ? '' : r.output).toBe('');
      expect(r.status).toBe(0);
      expect(r.output.trim()).not.toBe('');
    },
    120_000,
  );

  it('runs every samfire command, in order, writing what it says', () => {
    for (const args of samfireCommands()) {
      const r = run([...NODE_TS, CLI, ...args], dir);
      const command = `samfire ${args.join(' ')}`;
      const failure = r.status === 0 ? '' : r.output;
      expect({ command, status: r.status, failure }).toEqual({ command, status: 0, failure: '' });
      const out = args.indexOf('--out');
      if (out >= 0) expect(existsSync(join(dir, args[out + 1]!))).toBe(true);
      for (const option of ['--backup', '--summary']) {
        const at = args.indexOf(option);
        if (at >= 0) expect(existsSync(join(dir, args[at + 1]!))).toBe(true);
      }
    }
  }, 300_000);
});
