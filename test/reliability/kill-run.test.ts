/**
 * `samfire run` SIGKILLed at 10 seeded random moments, one run after another,
 * each resuming from the backup the previous one left: 6 at random progress
 * counts, and 4 in the middle of writes made reachable by the
 * SAMFIRE_TEST_WRITE_FAULTS seam (core/src/io/node/write-faults.ts), at a
 * random byte of a periodic backup, of the final backup, of the final --out
 * write, and with --out complete but not yet renamed. After each kill: --out
 * is the previous complete version (here a copy of the input, as a re-run
 * over an earlier result) or a complete new one, the backup absent (before the
 * first), the previous complete one or a newer complete one, and the pixels
 * fitted before the kill but missing from the backup are counted (goal: none
 * beyond --save-every). Then a last --resume must complete, leaving none of
 * the killed writes' temporary files behind, and HyperSpy 1.7.3 must load
 * every --out that survived and restore its model (one Python run for all).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainExampleModel, makeDomainExample } from '@samfire/core';
import { readHspy, writeHspy } from '@samfire/core/node';
import { countDone } from '../../core/src/samfire/marker.js';
import { readBackupFile } from '@samfire/core/node';
import { decodeFloats } from '../../core/src/samfire/json.js';
import { mulberry32 } from '../helpers/random.js';
import { progressDone, sha256, spawnCli, type CliChild } from './child.js';
import { Figures } from './figures.js';

const ROWS = 48;
const COLS = 48;
const PIXELS = ROWS * COLS;
const SAVE_EVERY = 100;
/** Longest a run may take to reach its moment (a loaded 2-core machine). */
const MOMENT_TIMEOUT = 60_000;
const SEED = 20261203;
const PYTHON = '/usr/bin/python3';

type Moment =
  | { kind: 'progress'; done: number }
  | { kind: 'write'; file: 'backup' | 'out'; fraction: number; final: boolean };

/** Ten moments from the seed: progress counts rise, so every run has fitting left to do. */
function moments(): Moment[] {
  const rand = mulberry32(SEED);
  const counts = Array.from({ length: 6 }, () => Math.round((0.08 + 0.8 * rand()) * PIXELS)).sort(
    (a, b) => a - b,
  );
  const f = (): number => Math.round(rand() * 1000) / 1000;
  const p = (i: number): Moment => ({ kind: 'progress', done: counts[i]! });
  return [
    p(0),
    { kind: 'write', file: 'backup', fraction: f(), final: false },
    p(1),
    p(2),
    p(3),
    p(4),
    p(5),
    { kind: 'write', file: 'backup', fraction: f(), final: true },
    { kind: 'write', file: 'out', fraction: f(), final: true },
    { kind: 'write', file: 'out', fraction: 1, final: true },
  ];
}

function describeMoment(m: Moment): string {
  if (m.kind === 'progress') return `at ${m.done}/${PIXELS} pixels done`;
  const at = m.fraction === 1 ? 'complete, before the rename' : `at ${m.fraction * 100}% of it`;
  return `during the ${m.final ? 'final' : 'periodic'} write of the ${m.file === 'out' ? '--out file' : 'backup'}, ${at}`;
}

const figures = new Figures('samfire run killed (SIGKILL) and resumed');
let dir: string;
let input: string;
let out: string;
let backup: string;
let inputSha: string | null;
let previousOutSha: string | null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samfire-kill-'));
  input = join(dir, 'seed.hspy');
  out = join(dir, 'out.hspy');
  backup = join(dir, 'run.json');
  const { signal } = makeDomainExample({ rows: ROWS, cols: COLS, channels: 256 });
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  model.fit([0, 0], { bounded: true });
  await writeHspy(input, signal, { seed: model });
  inputSha = sha256(input);
  // A complete earlier result at --out: a kill must leave it or a complete new one.
  copyFileSync(input, out);
  previousOutSha = sha256(out);
}, 60_000);

afterAll(() => {
  figures.report();
  rmSync(dir, { recursive: true, force: true });
});

function runArgs(resume: boolean): string[] {
  return [
    'run',
    input,
    '--model',
    'seed',
    '--out',
    out,
    '--workers',
    '1',
    '--strategies',
    'local',
    '--radii',
    '1',
    '--optional',
    'l2',
    '--bounded',
    '--random-seed',
    '3',
    '--save-every',
    String(SAVE_EVERY),
    '--backup',
    backup,
    ...(resume ? ['--resume', backup] : []),
  ];
}

/** Waits for the moment, then kills; null when the moment never came (the run ended or hung). */
async function killAt(child: CliChild, m: Moment): Promise<string | null> {
  let line: string | null;
  if (m.kind === 'progress') {
    line = await child.waitLine((l) => (progressDone(l) ?? -1) >= m.done, MOMENT_TIMEOUT);
  } else {
    const name = m.file === 'out' ? 'out.hspy' : 'run.json';
    let finalPhase = false;
    line = await child.waitLine((l) => {
      if (l.startsWith('saving the backup') || l.startsWith('writing ')) finalPhase = true;
      if (!l.startsWith(`samfire-test: paused ${name} `)) return false;
      if (!m.final || finalPhase) return true;
      // A periodic backup before the end: let it finish.
      child.process.kill('SIGUSR2');
      return false;
    }, MOMENT_TIMEOUT);
  }
  await child.kill();
  return line;
}

interface BackupState {
  count: number;
  done: number;
}

async function backupState(): Promise<BackupState | 'absent' | string> {
  if (!existsSync(backup)) return 'absent';
  try {
    const b = await readBackupFile(backup);
    return {
      count: b.engine.count,
      done: countDone(decodeFloats(b.engine.marker, 'marker', PIXELS)),
    };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** 'previous', or the fitted pixel count of a complete new --out, or what is wrong with it. */
async function outState(): Promise<'previous' | 'absent' | number | string> {
  if (!existsSync(out)) return 'absent';
  if (sha256(out) === previousOutSha) return 'previous';
  try {
    const model = (await readHspy(out)).model(0, 'seed');
    let fitted = 0;
    for (const v of model.chisq) if (Number.isFinite(v)) fitted++;
    return fitted;
  } catch (e) {
    return `unreadable: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function leftovers(): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

describe('samfire run killed at random moments', () => {
  it('leaves --out and the backup absent, previous or complete, loses no more than --save-every pixels, and resumes to completion', async () => {
    const survivors: { path: string; fitted: number; label: string }[] = [];
    mkdirSync(join(dir, 'survivors'));
    // The previous version every kill left in place: the input's copy, its seed pixel fitted.
    const previous = join(dir, 'survivors', 'out-previous.hspy');
    copyFileSync(out, previous);
    survivors.push({ path: previous, fitted: 1, label: 'the previous version' });
    let last: BackupState | null = null;
    let lostTotal = 0;
    let lostWorst = 0;
    const plan = moments();
    for (let i = 0; i < plan.length; i++) {
      const m = plan[i]!;
      const name = `kill ${i + 1} ${describeMoment(m)}`;
      const env: Record<string, string> =
        m.kind === 'write'
          ? {
              SAMFIRE_TEST_WRITE_FAULTS: `${m.file === 'out' ? 'out.hspy' : 'run.json'}@${m.fraction}:pause`,
            }
          : {};
      const child = spawnCli(runArgs(last !== null), env);
      const line = await killAt(child, m);
      const seenDone = Math.max(0, ...child.lines.map((l) => progressDone(l) ?? 0));
      const exit = await child.exited;
      if (line === null) {
        const ended = exit.code !== null;
        figures.record(
          name,
          ended ? 'crash' : 'hang',
          ended
            ? `exited ${exit.code} before the moment: ${child.lines.slice(-3).join(' | ')}`
            : `the moment did not come within ${MOMENT_TIMEOUT / 1000} s`,
        );
        continue;
      }
      const problems: string[] = [];
      const b = await backupState();
      const o = await outState();
      if (typeof b === 'string' && b !== 'absent') problems.push(`backup corrupt: ${b}`);
      if (b === 'absent' && last !== null) problems.push('the backup disappeared');
      if (typeof b === 'object' && last !== null && b.count < last.count)
        problems.push(`the backup went back from ${last.count} to ${b.count} results`);
      if (typeof o === 'string' && o !== 'previous') problems.push(`--out ${o}`);
      if (typeof o === 'number') {
        const copy = join(dir, 'survivors', `out-${i + 1}.hspy`);
        copyFileSync(out, copy);
        survivors.push({ path: copy, fitted: o, label: name });
        previousOutSha = sha256(out);
      }
      const inBackup = typeof b === 'object' ? b.done : 0;
      const lost = Math.max(0, seenDone - inBackup);
      lostTotal += lost;
      lostWorst = Math.max(lostWorst, lost);
      if (lost > SAVE_EVERY)
        problems.push(`${lost} pixels fitted before the kill are not in the backup`);
      figures.measure(
        'temporary files left by kills, most at once',
        Math.max(
          figures.measures['temporary files left by kills, most at once'] ?? 0,
          leftovers().length,
        ),
      );
      figures.record(
        name,
        problems.length === 0 ? 'clean' : 'dataLost',
        problems.length === 0
          ? `backup ${typeof b === 'object' ? `${b.done} done` : b}, --out ${o}, ${lost} lost`
          : problems.join('; '),
      );
      if (typeof b === 'object') last = b;
    }
    figures.measure('pixels lost beyond the backup, total', lostTotal);
    figures.measure('pixels lost beyond the backup, worst kill', lostWorst);

    // The last resume completes.
    const final = spawnCli(runArgs(last !== null));
    const ended = await Promise.race([
      final.exited,
      new Promise<null>((r) => setTimeout(() => r(null), 120_000)),
    ]);
    const o = await outState();
    if (ended === null) {
      await final.kill();
      figures.record('--resume to completion', 'hang', 'did not finish within 120 s');
    } else if (ended.code !== 0 || typeof o !== 'number') {
      figures.record(
        '--resume to completion',
        'crash',
        `exit ${ended.code}, --out ${o}: ${final.lines.slice(-3).join(' | ')}`,
      );
    } else {
      const copy = join(dir, 'survivors', 'out-final.hspy');
      copyFileSync(out, copy);
      survivors.push({ path: copy, fitted: o, label: '--resume to completion' });
      const complete = /(\d+)\/(\d+) pixels fitted/.exec(final.stdout());
      figures.record(
        '--resume to completion',
        o === Number(complete?.[1]) ? 'clean' : 'dataLost',
        `${complete?.[0] ?? final.stdout().trim()}, --out holds ${o} fitted pixels`,
      );
      figures.measure('pixels fitted at the end', o);
      const litter = leftovers();
      figures.record(
        'temporary files of the killed writes removed by the next ones',
        litter.length === 0 ? 'clean' : 'other',
        litter.length === 0 ? '' : `left: ${litter.join(', ')}`,
      );
    }
    if (sha256(input) !== inputSha)
      figures.record('input untouched', 'dataLost', 'the input changed');
    else figures.record('input untouched', 'clean');

    // HyperSpy loads every --out that survived and restores its model.
    const probe = spawnSync(PYTHON, ['-c', 'import hyperspy.api'], { timeout: 120_000 });
    if (probe.status === 0 || process.env.CI === 'true') {
      const script = [
        'import json, sys, numpy as np',
        'import hyperspy.api as hs',
        'out = []',
        'for p in sys.argv[1:]:',
        '    try:',
        '        s = hs.load(p)',
        "        m = s.models.restore('seed')",
        '        out.append(int(np.isfinite(m.chisq.data).sum()))',
        '    except Exception as e:',
        '        out.append(repr(e))',
        'print(json.dumps(out))',
      ].join('\n');
      const result = JSON.parse(
        execFileSync(PYTHON, ['-c', script, ...survivors.map((s) => s.path)], {
          encoding: 'utf8',
          timeout: 120_000,
        }),
      ) as (number | string)[];
      survivors.forEach((s, k) => {
        const r = result[k];
        figures.record(
          `HyperSpy restores --out of ${s.label}`,
          r === s.fitted ? 'clean' : 'dataLost',
          typeof r === 'number' ? `${r} fitted pixels (ours ${s.fitted})` : String(r),
        );
      });
    } else {
      console.warn('HyperSpy checks skipped: /usr/bin/python3 cannot import hyperspy');
    }
    expect(figures.failures()).toEqual([]);
  }, 600_000);
});
