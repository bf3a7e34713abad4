/**
 * A region of the navigator (core/src/host/region.ts through the host): its
 * sum and mean spectra, and a region fit used as SAMFire's seed: the mean is
 * fitted, its values start the region's unfitted pixels (which stay
 * unfitted: NaN reduced χ²), and the seed pixel is fitted on its own data
 * and kept as a seed only when good.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost } from '@samfire/core/host';
import type { Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { apiGuards } from '@samfire/core/api';
import { clCentre, makeClMap, writeClMap } from '../../helpers/cl-map.js';

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function openCl(): Promise<Host> {
  const path = join(mkdtempSync(join(tmpdir(), 'samfire-region-')), 'cl.hspy');
  await writeClMap(path);
  host = createHost(nodeHostDeps({ backupDir: null }));
  await host.file.openPath({ path });
  return host;
}

describe('region spectra', () => {
  it('sums and averages the pixels of a rectangle', async () => {
    const h = await openCl();
    const signal = makeClMap();
    const region = { rows: [1, 2] as [number, number], cols: [3, 5] as [number, number] };
    const sum = await h.dataset.regionSpectrum({ region: { ...region, reduce: 'sum' } });
    const mean = await h.dataset.regionSpectrum({ region: { ...region, reduce: 'mean' } });
    expect(sum.region).toEqual({ ...region, reduce: 'sum', pixels: 6 });
    let want = 0;
    for (const r of [1, 2]) for (const c of [3, 4, 5]) want += signal.readSpectrum(r * 8 + c)[500]!;
    expect(sum.data[500]).toBeCloseTo(want, 6);
    expect(mean.data[500]).toBeCloseTo(want / 6, 6);
    expect(sum.model).toBeNull();
    await expect(
      h.dataset.regionSpectrum({ region: { rows: [0, 6], cols: [0, 0], reduce: 'mean' } }),
    ).rejects.toThrow(/region rows 0–6, columns 0–0: the map has 6 rows and 8 columns/);
  });

  it('fits the mean, starts the region from it and seeds the pixel from its own fit', async () => {
    const h = await openCl();
    await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    // Start the peak 4–10 nm off everywhere, to see the region fit move it.
    await h.model.setParameter({ parameter: 'peak.centre', value: 858, allPixels: true });
    await h.model.setPixel({ pixel: 8 * 2 + 1 });
    const region = { rows: [1, 3] as [number, number], cols: [0, 3] as [number, number] };
    const out = await h.fit.fitRegion({ region: { ...region, reduce: 'mean' }, seed: true });
    expect(out.region.pixels).toBe(12);
    expect(out.region.started).toBe(12);
    expect(out.region.good).toBe(true);
    expect(out.region.report).toContain('peak.centre');
    // The seed is the current pixel (inside the region), fitted on its own data.
    expect(out.seed.pixel).toBe(17);
    expect(out.seed.good).toBe(true);
    expect((await h.fit.status()).seeds).toEqual([17]);
    const m = await h.model.state();
    expect(m.pixel).toBe(17);
    const centre = m.components[1]!.parameters.find((p) => p.name === 'centre')!.values[0]!;
    expect(Math.abs(centre - clCentre(2, 1, 6, 8))).toBeLessThan(1);
    // The other region pixels start from the mean's values but hold no fit.
    const chi = await h.dataset.image({ kind: 'redChisq' });
    expect(Number.isFinite(chi.values[17])).toBe(true);
    expect(Number.isNaN(chi.values[8])).toBe(true);
    await h.model.setPixel({ pixel: 8 });
    const other = await h.model.state();
    const start = other.components[1]!.parameters.find((p) => p.name === 'centre')!.values[0]!;
    expect(start).not.toBe(858);
    // Outside the region nothing changed.
    await h.model.setPixel({ pixel: 47 });
    const outside = await h.model.state();
    expect(outside.components[1]!.parameters.find((p) => p.name === 'centre')!.values[0]).toBe(858);
    // The region's view shows the mean's fit, and the sum's model is 12 times the mean's.
    const mean = await h.dataset.regionSpectrum({ region: { ...region, reduce: 'mean' } });
    const sum = await h.dataset.regionSpectrum({ region: { ...region, reduce: 'sum' } });
    expect(mean.redChisq).toBeCloseTo(out.region.redChisq, 9);
    expect(sum.model![400]).toBeCloseTo(12 * mean.model![400]!, 6);
  });

  it('seeds the centre of the region when the current pixel is outside it', async () => {
    const h = await openCl();
    await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    const out = await h.fit.fitRegion({
      region: { rows: [3, 5], cols: [5, 7], reduce: 'sum' },
      seed: false,
    });
    expect(out.seed.pixel).toBe(4 * 8 + 6);
    expect((await h.fit.status()).seeds).toEqual([]);
  });
});

describe('region requests from the UI', () => {
  it('are checked before anything runs', () => {
    const check = apiGuards.dataset.regionSpectrum;
    expect(check({ region: { rows: [0, 2], cols: [1, 1], reduce: 'mean' } })).toEqual({
      region: { rows: [0, 2], cols: [1, 1], reduce: 'mean' },
    });
    expect(() => check({ region: { rows: [2, 0], cols: [1, 1], reduce: 'mean' } })).toThrow(
      /rows: the first \(2\) is after the last \(0\)/,
    );
    expect(() => check({ region: { rows: [0], cols: [1, 1], reduce: 'sum' } })).toThrow(
      /expected \[first, last\]/,
    );
    expect(() => check({ region: { rows: [0, 1], cols: [1, 1], reduce: 'max' } })).toThrow(
      /expected one of sum, mean/,
    );
    expect(() =>
      apiGuards.fit.fitRegion({
        region: { rows: [0, 1], cols: [-1, 1], reduce: 'sum' },
        seed: true,
      }),
    ).toThrow(/cols\[0\]/);
  });
});
