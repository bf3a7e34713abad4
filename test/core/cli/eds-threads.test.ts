/**
 * `samfire eds --threads N`: the whole-map linear fit on worker threads
 * gives the same stored model and maps as in this thread, on a small
 * synthetic map (six 10 x 10 synthetic maps stacked into 60 x 10 pixels,
 * more than one chunk of the thread pool, so both threads get pixels).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { Signal, readNpy } from '@samfire/core';
import { EDS_FIT_ATTRIBUTE, runEds, type EdsSummary } from '../../../core/src/cli/eds.js';
import { CHANNELS, ELEMENTS, SIDE, synthetic } from '../../helpers/eds.js';

const tmp = mkdtempSync(join(tmpdir(), 'samfire-eds-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const COPIES = 6;
const INPUT = join(tmp, 'synthetic.hspy');

async function eds(...args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await runEds(args);
  vi.restoreAllMocks();
  expect(code).toBe(0);
  return out;
}

function run(threads: number): Promise<string> {
  return eds(
    INPUT,
    '--elements',
    ELEMENTS.join(','),
    '--range',
    '1.0,9.0',
    '--tolerance',
    '2',
    '--threads',
    String(threads),
    '--out',
    join(tmp, `out-${threads}.hspy`),
    '--maps',
    join(tmp, `maps-${threads}`),
    '--summary',
    join(tmp, `summary-${threads}.json`),
  );
}

function summary(threads: number): EdsSummary {
  return JSON.parse(readFileSync(join(tmp, `summary-${threads}.json`), 'utf8')) as EdsSummary;
}

describe('samfire eds --threads', () => {
  beforeAll(async () => {
    const pixels = SIDE * SIDE;
    const data = new Float64Array(COPIES * pixels * CHANNELS);
    let metadata: Record<string, unknown> = {};
    for (let c = 0; c < COPIES; c++) {
      const { signal } = synthetic(11 + c);
      data.set(signal.data as Float64Array, c * pixels * CHANNELS);
      metadata = signal.metadata;
    }
    const one = synthetic(11).signal;
    const axes = one.axes.map((a) => ({ ...a }));
    axes[0] = { ...axes[0]!, size: COPIES * SIDE };
    const signal = new Signal({ data, axes, signalType: 'EDS_SEM', metadata });
    await writeHspy(INPUT, signal);
    await run(1);
    await run(2);
  }, 300_000);

  it('gives the same maps on two threads as in this thread', async () => {
    const s1 = summary(1);
    const s2 = summary(2);
    expect(s1.threads).toBe(1);
    expect(s2.threads).toBe(2);
    expect(s1.pixels).toBe(COPIES * SIDE * SIDE);
    // The synthetic data are the model plus Poisson noise: nearly all pass.
    expect(s1.pixelsFitted).toBeGreaterThan(0.9 * s1.pixels);
    expect(s2.pixelsFitted).toBe(s1.pixelsFitted);
    expect(s2.redChisqMedian).toBe(s1.redChisqMedian);
    expect(s2.medianIntensity).toEqual(s1.medianIntensity);
    const m1 = (await readHspy(join(tmp, 'out-1.hspy'))).model(0, 'eds');
    const m2 = (await readHspy(join(tmp, 'out-2.hspy'))).model(0, 'eds');
    const close = (a: number, b: number): boolean =>
      (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 * Math.abs(a);
    let compared = 0;
    for (const p of m1.parameters) {
      const q = m2.parameter(p.fullName);
      for (let i = 0; i < p.map.values.length; i++) {
        if (!close(p.map.values[i]!, q.map.values[i]!) || !close(p.map.std[i]!, q.map.std[i]!))
          throw new Error(
            `${p.fullName}[${i}]: ${p.map.values[i]} ± ${p.map.std[i]} on 1 thread, ${q.map.values[i]} ± ${q.map.std[i]} on 2`,
          );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(s1.pixels * 3);
    m1.chisq.forEach((c, i) => expect(close(c, m2.chisq[i]!)).toBe(true));
    for (const el of ELEMENTS) {
      const a = readNpy(new Uint8Array(readFileSync(join(tmp, 'maps-1', `${el}.npy`))), el);
      const b = readNpy(new Uint8Array(readFileSync(join(tmp, 'maps-2', `${el}.npy`))), el);
      expect(a.shape).toEqual([COPIES * SIDE, SIDE]);
      const va = a.data as Float64Array;
      const vb = b.data as Float64Array;
      va.forEach((v, i) => {
        if (!close(v, vb[i]!)) throw new Error(`${el} map at ${i}: ${v} vs ${vb[i]}`);
      });
    }
  });

  it('says which loss was minimised and, for counts, the median deviance per dof', async () => {
    const s = summary(1);
    expect(s.lossFunction).toBe('ls');
    expect(s.devianceMedian).not.toBeNull();
    expect(summary(2).devianceMedian).toBe(s.devianceMedian);
    // The median over the passing pixels of the stored model's deviance per dof.
    const model = (await readHspy(join(tmp, 'out-1.hspy'))).model(0, 'eds');
    const per: number[] = [];
    model.chisq.forEach((c, px) => {
      if (!Number.isFinite(c)) return;
      model.fetchStoredValues(px);
      per.push(model.deviance(px) / model.dof[px]!);
    });
    expect(per).toHaveLength(s.pixelsFitted);
    per.sort((a, b) => a - b);
    const mid = per.length >> 1;
    const expected = per.length % 2 ? per[mid]! : (per[mid - 1]! + per[mid]!) / 2;
    expect(s.devianceMedian!).toBeCloseTo(expected, 10);
    // Not the reduced chi-squared: with variance max(counts, 1) it differs.
    expect(Math.abs(s.devianceMedian! - s.redChisqMedian)).toBeGreaterThan(0.01);
    expect(s.devianceMedian!).toBeGreaterThan(0.8);
    expect(s.devianceMedian!).toBeLessThan(1.6);
    const out = await run(1);
    expect(out).toMatch(/loss ls, per-pixel weights/);
    expect(out).toContain(`median deviance/dof ${s.devianceMedian!.toPrecision(4)}`);
    // Kept with the stored model.
    const file = await readHspy(join(tmp, 'out-1.hspy'));
    const stored = JSON.parse(file.modelAttribute(0, 'eds', EDS_FIT_ATTRIBUTE)!) as Record<
      string,
      unknown
    >;
    expect(stored).toEqual({
      lossFunction: 'ls',
      test: 'redChisq',
      tolerance: 2,
      redChisqMedian: s.redChisqMedian,
      devianceMedian: s.devianceMedian,
    });
  });

  it('gives no deviance for data that are not counts', async () => {
    const signal = (await readHspy(INPUT)).signals[0]!;
    const scaled = new Signal({
      data: Float64Array.from(signal.data as Float64Array, (v) => v * 0.37),
      axes: signal.axes.map((a) => ({ ...a })),
      signalType: 'EDS_SEM',
      metadata: signal.metadata,
    });
    const input = join(tmp, 'scaled.hspy');
    await writeHspy(input, scaled);
    const path = join(tmp, 'scaled.json');
    await eds(
      input,
      '--elements',
      'Si,Fe,Ag',
      '--range',
      '1.0,9.0',
      '--threads',
      '1',
      '--out',
      join(tmp, 'scaled-out.hspy'),
      '--summary',
      path,
    );
    const s = JSON.parse(readFileSync(path, 'utf8')) as EdsSummary;
    expect(s.lossFunction).toBe('ls');
    expect(s.devianceMedian).toBeNull();
  });

  it('refuses a bad thread count, naming the option', async () => {
    const base = [INPUT, '--elements', 'Si', '--range', '1,9', '--out', join(tmp, 'x.hspy')];
    await expect(runEds([...base, '--threads', '0'])).rejects.toThrow(/--threads/);
    await expect(runEds([...base, '--threads', '1.5'])).rejects.toThrow(/--threads/);
  });
});
