/**
 * The disk fills while `samfire` writes: a small tmpfs mounted by the test
 * when it runs as root (and may mount), and in any case an ENOSPC injected
 * part-way through the write by the SAMFIRE_TEST_WRITE_FAULTS seam. Each must
 * end with a clear error naming the file, no partial or temporary file, the
 * input untouched, and the fitted pixels kept somewhere (the backup when
 * --out fails, --out when the backup fails). Then --out (or --backup,
 * --summary, export's --out) naming the input, however spelled, is refused.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainExampleModel, makeDomainExample } from '@samfire/core';
import { readHspy, writeHspy } from '@samfire/core/node';
import { readBackupFile } from '@samfire/core/node';
import { ROOT, sha256, spawnCli } from './child.js';
import { Figures } from './figures.js';

const figures = new Figures('disk full during a write, and --out over the input');
const RUN_TIMEOUT = 90_000;
let dir: string;
let input: string;
let inputSha: string | null;
const mounts: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samfire-full-'));
  input = join(dir, 'seed.hspy');
  const { signal } = makeDomainExample({ rows: 16, cols: 16, channels: 256 });
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  model.fit([0, 0], { bounded: true });
  await writeHspy(input, signal, { seed: model });
  inputSha = sha256(input);
}, 60_000);

afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
    } catch {
      execFileSync('umount', ['-l', m]);
    }
  }
  figures.report();
  rmSync(dir, { recursive: true, force: true });
});

/** A tmpfs of `bytes` at a new folder, or null when this process may not mount one. */
function tmpfs(name: string, bytes: number): string | null {
  if (process.getuid?.() !== 0) return null;
  const at = join(dir, name);
  mkdirSync(at);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', at], { stdio: 'pipe' });
  } catch {
    return null;
  }
  mounts.push(at);
  return at;
}

function runArgs(out: string, backup: string, extra: string[] = [], from = input): string[] {
  return [
    'run',
    from,
    '--model',
    'seed',
    '--out',
    out,
    '--workers',
    '0',
    '--strategies',
    'local',
    '--radii',
    '1',
    '--optional',
    'l2',
    '--bounded',
    '--random-seed',
    '1',
    '--save-every',
    '50',
    '--backup',
    backup,
    ...extra,
  ];
}

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string } | null> {
  const child = spawnCli(args, env);
  const exit = await Promise.race([
    child.exited,
    new Promise<null>((r) => setTimeout(() => r(null), RUN_TIMEOUT)),
  ]);
  if (exit === null) {
    await child.kill();
    return null;
  }
  return { ...exit, stderr: child.lines.join('\n'), stdout: child.stdout() };
}

async function fittedIn(path: string): Promise<number> {
  const model = (await readHspy(path)).model(0, 'seed');
  let n = 0;
  for (const v of model.chisq) if (Number.isFinite(v)) n++;
  return n;
}

async function backupResults(path: string): Promise<number> {
  return (await readBackupFile(path)).engine.count;
}

/** The error lines (`samfire: ...`), not the progress or the 'writing' notes. */
const errorLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.startsWith('samfire: '));

const files = (folder: string): string[] => (existsSync(folder) ? readdirSync(folder) : []);

interface FullCase {
  name: string;
  /** Where --out and the backup go, and the environment (the seam), or null to skip. */
  setup: () => { out: string; backup: string; env: Record<string, string>; full: string } | null;
  /** Which write fails. */
  failing: 'out' | 'backup';
}

const fullCases: FullCase[] = [
  {
    name: '--out on a tmpfs too small for it',
    failing: 'out',
    setup: () => {
      const full = tmpfs('full-out', 256 * 1024);
      return full === null
        ? null
        : { out: join(full, 'out.hspy'), backup: join(dir, 'a.json'), env: {}, full };
    },
  },
  {
    name: 'the backup on a tmpfs too small for it',
    failing: 'backup',
    setup: () => {
      const full = tmpfs('full-backup', 16 * 1024);
      return full === null
        ? null
        : { out: join(dir, 'b.hspy'), backup: join(full, 'run.json'), env: {}, full };
    },
  },
  {
    name: 'ENOSPC injected half-way through --out',
    failing: 'out',
    setup: () => {
      const full = join(dir, 'enospc-out');
      mkdirSync(full);
      return {
        out: join(full, 'out.hspy'),
        backup: join(dir, 'c.json'),
        env: { SAMFIRE_TEST_WRITE_FAULTS: 'out.hspy@0.5:enospc' },
        full,
      };
    },
  },
  {
    name: 'ENOSPC injected half-way through the backup',
    failing: 'backup',
    setup: () => {
      const full = join(dir, 'enospc-backup');
      mkdirSync(full);
      return {
        out: join(dir, 'd.hspy'),
        backup: join(full, 'run.json'),
        env: { SAMFIRE_TEST_WRITE_FAULTS: 'run.json@0.5:enospc' },
        full,
      };
    },
  },
];

describe('the disk fills during a write', () => {
  for (const c of fullCases) {
    it(
      c.name,
      async () => {
        const where = c.setup();
        if (where === null) {
          console.warn(
            `${c.name}: skipped (cannot mount a tmpfs here; the injected ENOSPC covers it)`,
          );
          return;
        }
        const r = await run(runArgs(where.out, where.backup), where.env);
        const problems: string[] = [];
        let outcome: 'clean' | 'crash' | 'hang' | 'dataLost' | 'other' = 'clean';
        if (r === null) {
          figures.record(c.name, 'hang', `no exit within ${RUN_TIMEOUT / 1000} s`);
          return;
        }
        const failedName = c.failing === 'out' ? 'out.hspy' : 'run.json';
        if (r.signal !== null || r.code === 0) {
          outcome = 'crash';
          problems.push(r.signal ? `killed by ${r.signal}` : 'exit code 0 although a write failed');
        } else if (
          !errorLines(r.stderr).some((l) => /disk is full/i.test(l) && l.includes(failedName))
        ) {
          outcome = 'other';
          problems.push(`unclear error: ${errorLines(r.stderr).join(' | ')}`);
        }
        const left = files(where.full).filter((n) => n !== 'lost+found');
        if (left.length > 0) {
          outcome = outcome === 'clean' ? 'other' : outcome;
          problems.push(`left on the full disk: ${left.join(', ')}`);
        }
        if (sha256(input) !== inputSha) {
          outcome = 'dataLost';
          problems.push('the input changed');
        }
        // The fitted pixels must survive in the other file.
        try {
          const kept =
            c.failing === 'out' ? await backupResults(where.backup) : await fittedIn(where.out);
          if (!(kept > 1)) throw new Error(`only ${kept} pixels`);
        } catch (e) {
          outcome = 'dataLost';
          problems.push(
            `the results are lost (${c.failing === 'out' ? 'backup' : '--out'}: ${e instanceof Error ? e.message : String(e)})`,
          );
        }
        if (c.failing === 'out' && !/--resume/.test(r.stderr)) {
          outcome = outcome === 'clean' ? 'other' : outcome;
          problems.push('does not say how to get the results back (--resume)');
        }
        figures.record(
          c.name,
          outcome,
          problems.length > 0 ? problems.join('; ') : r.stderr.split('\n').slice(-2).join(' | '),
        );
        expect(problems).toEqual([]);
      },
      120_000,
    );
  }

  it('export to a full disk', async () => {
    const full = tmpfs('full-export', 4096);
    const cases: [string, string, Record<string, string>][] = [
      ['ENOSPC injected into an export', join(dir, 'gA-injected.csv'), {}],
    ];
    if (full !== null) cases.unshift(['export to a full tmpfs', join(full, 'gA.csv'), {}]);
    for (const [name, path, env] of cases) {
      // Fill what is left of the tmpfs first; the injected case fails at byte 0.
      if (full !== null && path.startsWith(full)) {
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${join(full, 'filler')}`, 'bs=4096'], {
            stdio: 'ignore',
          });
        } catch {
          // dd stops with an error when the tmpfs is full: that is the point
        }
      }
      const fault = path.endsWith('gA-injected.csv')
        ? { SAMFIRE_TEST_WRITE_FAULTS: 'gA-injected.csv@0:enospc', ...env }
        : env;
      const r = await run(
        ['export', input, '--model', 'seed', '--map', 'g.A', '--out', path],
        fault,
      );
      const folder = path.slice(0, path.lastIndexOf('/'));
      const stray = files(folder).filter(
        (n) => n.startsWith('.gA') || n === 'gA.csv' || n === 'gA-injected.csv',
      );
      const clear =
        r !== null &&
        r.code !== 0 &&
        r.signal === null &&
        errorLines(r.stderr).some(
          (l) => /disk is full/i.test(l) && l.includes(path.split('/').pop()!),
        );
      figures.record(
        name,
        r === null
          ? 'hang'
          : r.signal !== null
            ? 'crash'
            : clear && stray.length === 0
              ? 'clean'
              : 'other',
        r === null
          ? ''
          : `${r.stderr.trim().split('\n').pop()}${stray.length ? `; left ${stray.join(', ')}` : ''}`,
      );
      expect(clear, r?.stderr).toBe(true);
      expect(stray).toEqual([]);
    }
  }, 120_000);
});

describe('--out naming the input is refused', () => {
  /** Each case in its own folder with its own copy of the input, so one that overwrites it spoils no other. */
  const cases: { name: string; args: (input: string, folder: string) => string[] }[] = [
    { name: '--out the same path', args: (i) => runArgs(i, `${i}.json`, [], i) },
    {
      name: '--out through ./',
      args: (i, f) => runArgs(`${f}/./seed.hspy`, `${i}.json`, [], i),
    },
    {
      name: '--out through sub/..',
      args: (i, f) => {
        mkdirSync(join(f, 'sub'));
        return runArgs(`${f}/sub/../seed.hspy`, `${i}.json`, [], i);
      },
    },
    {
      name: '--out relative to the working folder',
      args: (i) => runArgs(relative(ROOT, i), `${i}.json`, [], i),
    },
    {
      name: '--out a symlink to the input',
      args: (i, f) => {
        symlinkSync(i, join(f, 'link.hspy'));
        return runArgs(join(f, 'link.hspy'), `${i}.json`, [], i);
      },
    },
    {
      name: '--out through a symlinked folder',
      args: (i, f) => {
        symlinkSync(f, join(f, 'alias'));
        return runArgs(join(f, 'alias', 'seed.hspy'), `${i}.json`, [], i);
      },
    },
    {
      name: '--out a hard link to the input',
      args: (i, f) => {
        linkSync(i, join(f, 'hard.hspy'));
        return runArgs(join(f, 'hard.hspy'), `${i}.json`, [], i);
      },
    },
    { name: '--backup the input', args: (i, f) => runArgs(join(f, 'out.hspy'), i, [], i) },
    {
      name: '--summary the input',
      args: (i, f) => runArgs(join(f, 'out.hspy'), join(f, 'b.json'), ['--summary', i], i),
    },
    {
      name: '--backup the same file as --out',
      args: (i, f) => runArgs(join(f, 'out.hspy'), `${f}/./out.hspy`, [], i),
    },
    {
      name: 'export --out the input',
      args: (i) => ['export', i, '--model', 'seed', '--map', 'g.A', '--format', 'csv', '--out', i],
    },
  ];

  it('for every spelling of the same file, before touching anything', async () => {
    const results: { name: string; ok: boolean }[] = [];
    const queue = [...cases];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const folder = join(dir, `same-${cases.indexOf(c)}`);
        mkdirSync(folder);
        const copy = join(folder, 'seed.hspy');
        copyFileSync(input, copy);
        const before = sha256(copy);
        const inode = statSync(copy).ino;
        const args = c.args(copy, folder);
        const r = await run(args);
        const changed = sha256(copy) !== before || statSync(copy).ino !== inode;
        let outcome: 'clean' | 'crash' | 'hang' | 'dataLost' | 'other';
        let detail = r === null ? '' : (r.stderr.trim().split('\n').pop() ?? '');
        if (r === null) outcome = 'hang';
        else if (r.signal !== null) outcome = 'crash';
        else if (changed) outcome = 'dataLost';
        else if (r.code === 0) {
          outcome = 'other';
          detail = `accepted (exit 0): ${r.stdout.trim()}`;
        } else if (!/same file as|is the input/i.test(r.stderr)) outcome = 'other';
        else outcome = 'clean';
        figures.record(c.name, outcome, detail);
        results.push({ name: c.name, ok: outcome === 'clean' });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual([]);
  }, 300_000);
});
