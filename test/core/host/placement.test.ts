/**
 * A component added in the app starts from the data (host model service and
 * core/src/host/placement.ts): on a CL map (811–936 nm) a Gaussian lands on
 * the peak of the current pixel, within the view the UI sends; a second
 * peak goes on what the first leaves; an Offset takes the background.
 * Before, a Gaussian started at centre 0, off the axis.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelState } from '@samfire/core/api';
import { createHost } from '@samfire/core/host';
import type { Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { placementChannels } from '../../../core/src/host/placement.js';
import { clCentre, writeClMap } from '../../helpers/cl-map.js';

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

const value = (m: ModelState, full: string): number =>
  m.components.flatMap((c) => c.parameters).find((p) => p.fullName === full)!.values[0]!;

async function openCl(options: Parameters<typeof writeClMap>[1] = {}): Promise<Host> {
  const path = join(mkdtempSync(join(tmpdir(), 'samfire-place-')), 'cl.hspy');
  await writeClMap(path, options);
  host = createHost(nodeHostDeps({ backupDir: null }));
  const r = await host.file.openPath({ path });
  expect(r.kind).toBe('opened');
  return host;
}

describe('placing a new component from the data', () => {
  it('puts a Gaussian on the peak of the current pixel (CL, 811–936 nm), everywhere', async () => {
    const h = await openCl();
    await h.model.setPixel({ pixel: 0 });
    const m = await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    expect(Math.abs(value(m, 'peak.centre') - clCentre(0, 0, 6, 8))).toBeLessThan(0.5);
    expect(value(m, 'peak.sigma')).toBeGreaterThan(5);
    expect(value(m, 'peak.sigma')).toBeLessThan(7);
    // The area of a 30000-count peak, give or take the background under it.
    expect(value(m, 'peak.A')).toBeGreaterThan(27_000);
    expect(value(m, 'peak.A')).toBeLessThan(36_000);
    // The same start at the other pixels (their fits start from it).
    const other = await h.model.setPixel({ pixel: 40 });
    expect(value(other, 'peak.centre')).toBe(value(m, 'peak.centre'));
    // The spectrum shows it: the model is near the data at the peak.
    const s = await h.dataset.spectrum({ pixel: 0 });
    const top = s.data.indexOf(Math.max(...s.data));
    expect(s.model![top]! / s.data[top]!).toBeGreaterThan(0.8);
  });

  it('uses only the visible part of the axis, and a second peak goes on the residual', async () => {
    const h = await openCl();
    // View 880–936 nm holds only the peak's far tail: the estimate stays in the view.
    let m = await h.model.addComponent({
      kind: 'Gaussian',
      name: 'g1',
      view: { start: 880, end: 936 },
    });
    expect(value(m, 'g1.centre')).toBeGreaterThanOrEqual(880);
    expect(value(m, 'g1.centre')).toBeLessThanOrEqual(936);
    await h.model.undo();
    // With the peak fitted by g1, an Offset takes what is left (about 0), and a second
    // Gaussian goes where the view is, not on the peak g1 already accounts for.
    m = await h.model.addComponent({ kind: 'Gaussian', name: 'g1' });
    await h.fit.fitPixel({ pixel: 0, seed: false });
    m = await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    expect(Math.abs(value(m, 'bg.offset'))).toBeLessThan(15);
    m = await h.model.addComponent({
      kind: 'Gaussian',
      name: 'g2',
      view: { start: 900, end: 930 },
    });
    expect(value(m, 'g2.centre')).toBeGreaterThanOrEqual(900);
    expect(value(m, 'g2.centre')).toBeLessThanOrEqual(930);
    expect(Math.abs(value(m, 'g2.centre') - value(m, 'g1.centre'))).toBeGreaterThan(30);
  });

  it('starts a PowerLaw from the range instead of A = 1e6, and an Offset at the background', async () => {
    const h = await openCl({ area: 0, background: 200 });
    let m = await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    expect(Math.abs(value(m, 'bg.offset') - 200)).toBeLessThan(5);
    await h.model.undo();
    m = await h.model.addComponent({ kind: 'PowerLaw', name: 'pl' });
    // A flat background: r at its lower bound 1 and the curve at the level of the counts.
    expect(value(m, 'pl.r')).toBe(1);
    const at = value(m, 'pl.A') / 870;
    expect(at).toBeGreaterThan(150);
    expect(at).toBeLessThan(250);
  });

  it('chooses the channels in view and in range, else the view, else the range', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const on = Uint8Array.of(0, 0, 1, 1, 1, 1, 1, 0, 0, 0);
    expect(Array.from(placementChannels(x, on, { start: 3, end: 9 }))).toEqual([
      0, 0, 0, 1, 1, 1, 1, 0, 0, 0,
    ]);
    // The view lies outside the range: the view's channels.
    expect(Array.from(placementChannels(x, on, { start: 7, end: 9 }))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
    ]);
    // No view: the signal range.
    expect(Array.from(placementChannels(x, on, undefined))).toEqual(Array.from(on));
  });
});
