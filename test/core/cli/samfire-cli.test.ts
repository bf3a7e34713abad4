/**
 * The `samfire` command line end to end, as a user runs it (from the
 * TypeScript sources through tsx): run, demo, resume after a kill, errors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy } from '@samfire/core/node';
import { DOMAIN_DIR } from '../../helpers/reference.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const dir = mkdtempSync(join(tmpdir(), 'samfire-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function samfire(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Summary {
  pixels: number;
  pixelsDone: number;
  workers: number;
  strategies: string[];
  medians: Record<string, number>;
}

describe('samfire run', () => {
  it('fits the domain reference from its seed with 2 workers and writes the fitted model to a .hspy', async () => {
    const out = join(dir, 'domain.hspy');
    const summaryFile = join(dir, 'summary.json');
    const r = samfire(
      'run',
      `${DOMAIN_DIR}seed.hspy`,
      '--model',
      'seed',
      '--out',
      out,
      '--workers',
      '2',
      '--strategies',
      'local',
      '--radii',
      '1',
      '--optional',
      'l2',
      '--bounded',
      '--random-seed',
      '5',
      '--summary',
      summaryFile,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/105\/105 pixels fitted .* 2 workers/);
    expect(r.stderr).toMatch(/\[#+\] 105\/105 done/);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    expect(summary.pixels).toBe(105);
    expect(summary.pixelsDone).toBeGreaterThanOrEqual(103);
    expect(summary.workers).toBe(2);
    expect(summary.strategies).toEqual(['Reduced chi squared strategy']);
    // Truth: g.sigma 15, l1.gamma 50 and l2.gamma 20 everywhere.
    expect(summary.medians['g.sigma']).toBeGreaterThan(14);
    expect(summary.medians['g.sigma']).toBeLessThan(16);
    expect(Math.abs(summary.medians['l1.gamma']! - 50)).toBeLessThan(1);
    const file = await readHspy(out);
    const model = file.model(0, 'seed');
    let fitted = 0;
    for (const v of model.chisq) if (Number.isFinite(v)) fitted++;
    expect(fitted).toBe(summary.pixelsDone);
  });

  it('says what is wrong, with a non-zero exit, for a missing model, unknown optional components and bad options', () => {
    const input = `${DOMAIN_DIR}seed.hspy`;
    const missing = samfire('run', input, '--model', 'nope', '--out', join(dir, 'x.hspy'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no stored model 'nope' \(it has 'seed'\)/);
    const optional = samfire(
      'run',
      input,
      '--model',
      'seed',
      '--out',
      join(dir, 'x.hspy'),
      '--optional',
      'zz',
    );
    expect(optional.status).not.toBe(0);
    expect(optional.stderr).toMatch(/no component named 'zz'/);
    const bad = samfire(
      'run',
      input,
      '--model',
      'seed',
      '--out',
      join(dir, 'x.hspy'),
      '--test',
      'maybe',
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--test must be redchisq, deviance, aic, aicc or bic/);
    const unknown = samfire(
      'run',
      input,
      '--model',
      'seed',
      '--out',
      join(dir, 'x.hspy'),
      '--frobnicate',
    );
    expect(unknown.stderr).toMatch(/unknown option --frobnicate/);
    expect(existsSync(join(dir, 'x.hspy'))).toBe(false);
  });

  it('refuses a model with no fitted seed pixel', async () => {
    const { writeHspy } = await import('@samfire/core/node');
    const { domainExampleModel, makeDomainExample } = await import('@samfire/core');
    const { signal } = makeDomainExample({ rows: 3, cols: 3, channels: 64 });
    const input = join(dir, 'unfitted.hspy');
    await writeHspy(input, signal, { m: domainExampleModel(signal) });
    const r = samfire('run', input, '--model', 'm', '--out', join(dir, 'y.hspy'), '--workers', '0');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no fitted seed pixel/);
  });
});

describe('samfire demo', () => {
  it('fits the built-in example in-process and reports how many pixels match the truth', () => {
    const r = samfire('demo', '--workers', '0', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const m = /(\d+)\/105 pixels fitted.*; (\d+)\/(\d+) fitted pixels within 10% of the truth/.exec(
      r.stdout,
    );
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(103);
    expect(Number(m![2]) / Number(m![3])).toBeGreaterThanOrEqual(0.95);
  });

  it('resumes from its backup after being killed mid-run and completes', async () => {
    const backup = join(dir, 'demo-backup.json');
    const args = [
      'demo',
      '--size',
      '40x40x256',
      '--workers',
      '1',
      '--save-every',
      '50',
      '--backup',
      backup,
      '--quiet',
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const deadline = Date.now() + 90_000;
    while (!existsSync(backup) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(backup)).toBe(true);
    const saved = JSON.parse(readFileSync(backup, 'utf8')) as { engine: { count: number } };
    expect(saved.engine.count).toBeGreaterThan(0);
    expect(saved.engine.count).toBeLessThan(1600);
    const r = samfire(...args, '--resume', backup);
    expect(r.status, r.stderr).toBe(0);
    const m = /(\d+)\/1600 pixels fitted/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1590);
  });
});

describe('samfire help', () => {
  it('lists the commands', () => {
    const r = samfire('help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/run INPUT --model NAME --out OUTPUT/);
    expect(r.stdout).toMatch(/demo/);
    expect(r.stdout).toMatch(/info FILE/);
  });
});
