/**
 * `samfire info FILE [--json]` (core/src/cli/info.ts) prints the manifest's
 * fields for each signal of a file, HyperSpy files included, and one line
 * with a non-zero exit code for a file it cannot read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runInfo } from '../../../core/src/cli/info.js';
import { SHARED } from '../../helpers/reference.js';

interface Entry {
  file: string;
  signals: {
    title: string;
    signal_type: string;
    dtype: string;
    shape: number[];
    axes: {
      name: string | null;
      size: number;
      navigate: boolean;
      units: string | null;
      offset: number;
      scale: number;
    }[];
    sum: number;
    min: number;
    max: number;
    sha256: string;
  }[];
}

const IO_DIR = `${SHARED}data/io/`;
const manifest = JSON.parse(readFileSync(`${IO_DIR}manifest.json`, 'utf8')) as Entry[];
const FOLDER: Record<string, string> = {
  hspy: 'hspy',
  dm3: 'dm3',
  dm4: 'dm4',
  msa: 'msa',
  rpl: 'ripple',
};
const tmp = mkdtempSync(join(tmpdir(), 'hspy-info-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `samfire info` with stdout and stderr captured. */
async function info(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const code = await runInfo(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('samfire info', () => {
  const samples = manifest.filter((e) => /\.(hspy|dm3|msa)$/.test(e.file)).slice(0, 6);
  samples.push(...manifest.filter((e) => e.file.endsWith('.hspy')));

  it.each(samples.map((e) => [e.file, e] as const))(
    '--json matches the manifest for %s',
    async (file, entry) => {
      const folder = FOLDER[file.split('.').pop()!]!;
      const { code, out, err } = await info(`${IO_DIR}${folder}/${file}`, '--json');
      expect(err).toBe('');
      expect(code).toBe(0);
      const printed = JSON.parse(out) as Entry;
      expect(printed.file).toBe(file);
      expect(printed.signals.length).toBe(entry.signals.length);
      printed.signals.forEach((s, i) => {
        const m = entry.signals[i]!;
        expect([s.title, s.signal_type, s.dtype, s.shape, s.sha256]).toEqual([
          m.title,
          m.signal_type,
          m.dtype,
          m.shape,
          m.sha256,
        ]);
        s.axes.forEach((a, k) => {
          const ma = m.axes[k]!;
          expect([a.name, a.size, a.navigate, a.units]).toEqual([
            ma.name ?? '',
            ma.size,
            ma.navigate,
            ma.units ?? '',
          ]);
          expect(close(a.offset, ma.offset) && close(a.scale, ma.scale)).toBe(true);
        });
        expect(close(s.sum, m.sum) && close(s.min, m.min) && close(s.max, m.max)).toBe(true);
      });
    },
  );

  it('prints a readable summary by default', async () => {
    const { code, out } = await info(`${IO_DIR}hspy/EELS_LL_linescan.hspy`);
    expect(code).toBe(0);
    expect(out).toContain('EELS_LL_linescan.hspy: 1 signal');
    expect(out).toContain(
      "[0] 'Simulated EELS low-loss thickness 0.3-1.9 $t/\\lambda$' (EELS) float64 [17, 1024]",
    );
    expect(out).toContain('axis 1 Energy: 1024 x 0.5 eV from -100, signal');
    expect(out).toContain(
      'sha256 d71a81c393bbb29b6c9b87d42bda9e2ca1cb09c0afcd0e001840d824c6bf897a',
    );
  });

  it.each([
    [
      'truncated.hspy',
      () => readFileSync(`${IO_DIR}hspy/example2_v3.1.hspy`).subarray(0, 3000),
      /truncated/,
    ],
    ['notes.hspy', () => Buffer.from('not an HDF5 file\n'), /not an HDF5 file/],
    ['data.xyz', () => Buffer.from('?'), /unknown file type '\.xyz'/],
  ])('a bad file (%s): one line on stderr, exit code 1', async (name, bytes, pattern) => {
    const path = join(tmp, name);
    writeFileSync(path, bytes());
    const { code, out, err } = await info(path);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(pattern);
    expect(err.startsWith(`samfire info: ${name}: `)).toBe(true);
    expect(err.trimEnd().split('\n').length).toBe(1);
  });

  it('a missing file: exit code 1', async () => {
    const { code, err } = await info(join(tmp, 'absent.hspy'));
    expect(code).toBe(1);
    expect(err).toMatch(/absent\.hspy: cannot open/);
  });

  it('bad usage: exit code 2', async () => {
    expect((await info()).code).toBe(2);
    expect((await info('a.hspy', 'b.hspy')).code).toBe(2);
    expect((await info('a.hspy', '--bogus')).err).toMatch(/unknown option --bogus/);
  });
});
