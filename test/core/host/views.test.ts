/**
 * The host's views of results (core/src/host/views.ts): a pixel without a
 * stored fit is NaN in every result image and map file, whatever its
 * parameter map holds (a new component's defaults, the seed's values that
 * HyperSpy assigned to every pixel), and NaN survives browser mode's wire.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { NavigatorImage } from '@samfire/core/api';
import { decodeFrame, encodeFrame } from '@samfire/core/api';
import { createHost } from '@samfire/core/host';
import type { Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { readNpy, writeNpy } from '@samfire/core';

const EDS = fileURLToPath(
  new URL('../../../../shared/data/real/eds-agcu-50x50-hyperspy.hspy', import.meta.url),
);
let host: Host | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

const nan = (values: ArrayLike<number>): number => Array.from(values).filter(Number.isNaN).length;

describe('result views: unfitted pixels are NaN', () => {
  it('shows a component added in the app as NaN where it was never fitted, not as its defaults', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    await host.file.openExample();
    // A new Gaussian starts at centre 0 everywhere; only pixel 0 is fitted with it.
    await host.model.addComponent({ kind: 'Gaussian', name: 'g2' });
    await host.model.setParameter({ parameter: 'g2.centre', value: 200 });
    await host.model.setParameter({ parameter: 'g2.A', value: 10 });
    // A narrow peak, whatever width the placement estimated from the data.
    await host.model.setParameter({ parameter: 'g2.sigma', value: 1 });
    await host.fit.fitPixel({ pixel: 0, seed: false });
    const centre = await host.dataset.image({ kind: 'parameter', parameter: 'g2.centre' });
    expect(Number.isFinite(centre.values[0])).toBe(true);
    expect(nan(centre.values)).toBe(104);
    // The colour range is the fitted pixel's value, not 0 to it.
    expect(centre.min).toBe(centre.values[0]);
    expect(centre.max).toBe(centre.values[0]);
    for (const request of [
      { kind: 'parameter', parameter: 'g.A', field: 'std' },
      { kind: 'redChisq' },
    ] as const) {
      const image = await host.dataset.image(request);
      expect(nan(image.values), request.kind).toBe(104);
    }
    const csv = new TextDecoder().decode(
      (
        await host.dataset.mapFile({
          image: { kind: 'parameter', parameter: 'g2.centre' },
          format: 'csv',
        })
      ).bytes,
    );
    const cells = csv
      .trim()
      .split('\n')
      .flatMap((l) => l.split(','));
    expect(cells).toHaveLength(105);
    expect(cells.filter((c) => c === 'NaN')).toHaveLength(104);
    expect(cells.includes('0')).toBe(false);
  });

  it("gives NaN at the 529 pixels of a real EDS map that HyperSpy's SAMFire left unfitted", async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const r = await host.file.openPath({ path: EDS });
    expect(r.kind).toBe('opened');
    const image = await host.dataset.image({ kind: 'parameter', parameter: 'Al_Ka.A' });
    expect(nan(image.values)).toBe(529);
    // The seed's A (assigned to every pixel before the run) is left at the seed pixel only.
    const seedValue = 156.12306636107695;
    expect(Array.from(image.values).filter((v) => Math.abs(v - seedValue) < 1e-9)).toHaveLength(1);
    const finite = Array.from(image.values).filter(Number.isFinite);
    expect(image.min).toBe(Math.min(...finite));
    expect(image.max).toBe(Math.max(...finite));
    const redChisq = await host.dataset.image({ kind: 'redChisq' });
    expect(nan(redChisq.values)).toBe(529);

    const npy = await host.dataset.mapFile({
      image: { kind: 'parameter', parameter: 'Al_Ka.A', field: 'std' },
      format: 'npy',
    });
    const back = readNpy(npy.bytes, npy.name);
    expect(back.shape).toEqual([50, 50]);
    expect(nan(back.data as Float64Array)).toBe(529);

    // Browser mode's WebSocket frames keep NaN (in the array and as the range of an empty map).
    const empty: NavigatorImage = {
      ...image,
      values: new Float64Array(4).fill(NaN),
      min: NaN,
      max: NaN,
    };
    const wired = decodeFrame(encodeFrame({ image, empty })) as {
      image: NavigatorImage;
      empty: NavigatorImage;
    };
    expect(nan(wired.image.values)).toBe(529);
    expect(wired.image.values).toEqual(image.values);
    expect(Number.isNaN(wired.empty.min) && Number.isNaN(wired.empty.max)).toBe(true);
    expect(nan(wired.empty.values)).toBe(4);
  });

  it('writes a line scan map file with the navigation shape, positions and NaN', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const dir = mkdtempSync(join(tmpdir(), 'samfire-views-'));
    const path = join(dir, 'line.npy');
    writeFileSync(path, writeNpy(new Float64Array(6 * 20).fill(3), [6, 20]));
    expect((await host.file.openPath({ path })).kind).toBe('opened');
    await host.model.addComponent({ kind: 'Offset', name: 'bg' });
    await host.fit.fitPixel({ pixel: 2, seed: false });
    const csv = await host.dataset.mapFile({
      image: { kind: 'parameter', parameter: 'bg.offset' },
      format: 'csv',
    });
    const lines = new TextDecoder().decode(csv.bytes).trim().split('\n');
    expect(lines[0]).toMatch(/^index0,[^,]+,bg\.offset$/);
    expect(lines).toHaveLength(7);
    expect(lines[3]).toMatch(/^2,2,3(\.0+\d*)?$/);
    expect(lines.slice(1).filter((l) => l.endsWith(',NaN'))).toHaveLength(5);
    const npy = await host.dataset.mapFile({
      image: { kind: 'parameter', parameter: 'bg.offset' },
      format: 'npy',
    });
    expect(readNpy(npy.bytes, npy.name).shape).toEqual([6]);
  });
});
