/**
 * The dataset service's CL processing steps on a CL map written to a .hspy
 * (test/helpers/cl-map.ts: 6x8 pixels, 811–936 nm, one peak per pixel):
 * converting the wavelength axis to a non-uniform energy axis (and a fit
 * there), finding injected spikes for review and removing them, each step
 * revertible, with refusals that name the dataset and the parameter.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiGuards, type ModelState } from '@samfire/core/api';
import { HC_EV_NM, Signal } from '@samfire/core';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { energyAxisProblem } from '../../../core/src/host/views.js';
import { CL_AXIS, clCentre, writeClMap, type ClMapOptions } from '../../helpers/cl-map.js';

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function openCl(options: ClMapOptions = {}): Promise<Host> {
  const path = join(mkdtempSync(join(tmpdir(), 'samfire-cl-')), 'cl.hspy');
  await writeClMap(path, options);
  host = createHost(nodeHostDeps({ backupDir: null }));
  const r = await host.file.openPath({ path });
  expect(r.kind).toBe('opened');
  return host;
}

const value = (m: ModelState, full: string): number =>
  m.components.flatMap((c) => c.parameters).find((p) => p.fullName === full)!.values[0]!;

/** Three cosmic rays: two in one pixel, one in another, away from and on the peak. */
const SPIKES = [
  { pixel: 3, channel: 100, counts: 900 },
  { pixel: 3, channel: 700, counts: 600 },
  { pixel: 20, channel: 400, counts: 2000 },
];

describe('convert to energy in the host', () => {
  it('gives a non-uniform eV axis, increasing, E = hc/λ, and revert gives the wavelengths back', async () => {
    const h = await openCl();
    const before = (await h.dataset.summary())!;
    expect(before.energyProblem).toBeNull();
    expect(before.steps).toEqual([]);
    expect(before.axes[2]).toMatchObject({ units: 'nm', uniform: true });

    const after = await h.dataset.convertToEnergy();
    expect(after.id).toBeGreaterThan(before.id);
    expect(after.steps).toEqual(['Converted to energy (nm → eV)']);
    expect(after.axes[2]).toMatchObject({
      name: 'Energy',
      units: 'eV',
      uniform: false,
      size: 1024,
    });
    expect(after.navigationShape).toEqual([6, 8]);
    expect(after.energyProblem).toMatch(/already an energy \(eV\)/);
    expect(await h.dataset.summary()).toEqual(after);

    const s = await h.dataset.spectrum({ pixel: 0 });
    expect(s.xUnits).toBe('eV');
    // Light on an eV axis: not X-ray lines, and no offset + scale calibration to show.
    expect((await h.model.edsSetup()).problem).toMatch(/cathodoluminescence/);
    expect(after.acquisition.energyCalibration).toBeNull();
    const last = CL_AXIS.offset + (CL_AXIS.size - 1) * CL_AXIS.scale;
    expect(s.x[0]).toBeCloseTo(HC_EV_NM / last, 10);
    expect(s.x[1023]).toBeCloseTo(HC_EV_NM / CL_AXIS.offset, 10);
    const first = s.x[1]! - s.x[0]!;
    const lastStep = s.x[1023]! - s.x[1022]!;
    expect(lastStep / first).toBeGreaterThan(1.3); // the step grows as 1/λ²
    // The peak moved to hc/λ: the maximum of pixel 0 near 1.466 eV.
    const top = s.x[s.data.indexOf(Math.max(...s.data))]!;
    expect(Math.abs(top - HC_EV_NM / clCentre(0, 0, 6, 8))).toBeLessThan(0.01);

    const back = await h.dataset.revert();
    expect(back.steps).toEqual([]);
    expect(back.axes[2]).toMatchObject({ name: 'Wavelength', units: 'nm', uniform: true });
    expect((await h.dataset.spectrum({ pixel: 0 })).x[0]).toBeCloseTo(811, 10);
    await expect(h.dataset.revert()).rejects.toThrow(/nothing to revert/);
  });

  it('saves the converted data as a project that reopens on its eV axis; the original stays', async () => {
    const h = await openCl();
    const original = (await h.file.projectPath())!;
    expect(original).toMatch(/cl\.hspy$/);
    await h.dataset.convertToEnergy();
    await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    // Save asks for a name: the file opened holds the wavelengths.
    expect(await h.file.projectPath()).toBeNull();
    const saved = join(mkdtempSync(join(tmpdir(), 'samfire-cl-save-')), 'cl-ev.hspy');
    await h.file.saveProjectTo({ path: saved });
    const x = (await h.dataset.spectrum({ pixel: 5 })).x;
    await h.file.openPath({ path: saved });
    const reopened = (await h.dataset.summary())!;
    expect(reopened.steps).toEqual([]);
    expect(reopened.axes[2]).toMatchObject({ units: 'eV', uniform: false });
    expect((await h.dataset.spectrum({ pixel: 5 })).x).toEqual(x);
    expect((await h.model.state()).components.map((c) => c.name)).toEqual(['peak']);
    await h.file.openPath({ path: original });
    expect((await h.dataset.summary())!.axes[2]).toMatchObject({ units: 'nm', uniform: true });
  });

  it('refuses an axis that is not a wavelength, naming the dataset and the axis', async () => {
    const h = await openCl();
    await h.dataset.convertToEnergy();
    await expect(h.dataset.convertToEnergy()).rejects.toThrow(
      "CL map: convert to energy: the signal axis 'Energy' is already an energy (eV)",
    );
    // The example's axis is in eV too.
    await h.file.openExample();
    await expect(h.dataset.convertToEnergy()).rejects.toThrow(
      /^domain 7x15x400: convert to energy: the signal axis 'Energy' is already an energy/,
    );
  });

  it('tells which axes are wavelengths: nm, µm, Å, m; no units only when named so', () => {
    const problem = (name: string, units: string): string | null =>
      energyAxisProblem(
        new Signal({
          data: new Float64Array(4),
          axes: [{ name, size: 4, offset: 400, scale: 1, units, navigate: false }],
        }),
      );
    for (const u of ['nm', 'µm', 'um', 'Å', 'm']) expect(problem('Wavelength', u)).toBeNull();
    expect(problem('Wavelength', '')).toBeNull();
    expect(problem('Channel', '')).toBe(
      "the signal axis 'Channel' has no units: only a wavelength axis (nm, µm, Å or m) can be converted to energy",
    );
    expect(problem('Shift', 'cm-1')).toBe(
      "the signal axis 'Shift' is in 'cm-1', not a wavelength: only nm, µm, Å or m can be converted to energy",
    );
  });

  it('fits a Gaussian on an offset on the energy axis: its centre at hc/λ of the peak', async () => {
    const h = await openCl();
    await h.dataset.convertToEnergy();
    await h.model.setPixel({ pixel: 0 });
    await h.model.setSignalRange({ range: { start: 1.36, end: 1.5 } });
    await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    const m = await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    const expected = HC_EV_NM / clCentre(0, 0, 6, 8);
    expect(Math.abs(value(m, 'peak.centre') - expected)).toBeLessThan(0.02);
    const fit = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(fit.converged).toBe(true);
    // The variance went through the Jacobian too: reduced χ² near 1, a good fit.
    expect(fit.redChisq).toBeLessThan(1.3);
    expect(fit.good).toBe(true);
    const state = await h.model.state();
    expect(Math.abs(value(state, 'peak.centre') - expected)).toBeLessThan(0.002);
    // A range in eV picks the channels by their own values.
    const ranged = await h.model.setSignalRange({ range: { start: 1.4, end: 1.5 } });
    expect(ranged.signalRange!.start).toBeCloseTo(1.4, 3);
    expect(ranged.signalRange!.end).toBeCloseTo(1.5, 3);
  });
});

describe('spike removal in the host', () => {
  it('finds the injected spikes for review, removes them, and revert puts them back', async () => {
    const h = await openCl({ spikes: SPIKES });
    // At 10 robust SDs one noise excursion on a peak's top counts too; at 15 only the three.
    const loose = await h.dataset.findSpikes({ threshold: 10, window: 5 });
    expect(loose.count).toBe(4);
    expect(loose.spikes.map((s) => s.pixel)).toEqual([3, 3, 20, 29]);
    const report = await h.dataset.findSpikes({ threshold: 15, window: 5 });
    expect(report).toMatchObject({ threshold: 15, window: 5, count: 3, pixels: 2, xUnits: 'nm' });
    expect(report.spikes.map((s) => [s.pixel, s.channel])).toEqual([
      [3, 100],
      [3, 700],
      [20, 400],
    ]);
    const s0 = report.spikes[0]!;
    expect(s0.position).toEqual([0, 3]); // data order: row, column
    expect(s0.x).toBeCloseTo(CL_AXIS.offset + 100 * CL_AXIS.scale, 10);
    expect(s0.value - s0.median).toBeGreaterThan(800);
    expect(s0.score).toBeGreaterThan(10);
    // Finding changes nothing.
    expect((await h.dataset.summary())!.steps).toEqual([]);

    // A model built before stays through the removal (same axis).
    await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    const spiky = (await h.dataset.spectrum({ pixel: 20 })).data[400]!;
    const after = await h.dataset.removeSpikes({ threshold: 15, window: 5 });
    expect(after.steps).toEqual(['Removed 3 spikes (threshold 15, window 5)']);
    const clean = await h.dataset.spectrum({ pixel: 20 });
    expect(clean.data[400]).toBeLessThan(spiky - 1500);
    // The median of its neighbours (the spike left out): near the running median the review showed.
    const median = report.spikes[2]!.median;
    expect(Math.abs(clean.data[400]! - median)).toBeLessThan(3 * Math.sqrt(median));
    expect((await h.model.state()).components.map((c) => c.name)).toEqual(['peak']);
    expect((await h.dataset.findSpikes({ threshold: 15, window: 5 })).count).toBe(0);
    await expect(h.dataset.removeSpikes({ threshold: 15, window: 5 })).rejects.toThrow(
      'CL map: remove spikes: no spike scores above the threshold 15 (window 5): nothing to remove',
    );

    const back = await h.dataset.revert();
    expect(back.steps).toEqual([]);
    expect((await h.dataset.spectrum({ pixel: 20 })).data[400]).toBe(spiky);
    expect((await h.model.state()).components.map((c) => c.name)).toEqual(['peak']);
  });

  it('a higher threshold finds fewer; steps stack and revert one at a time', async () => {
    const h = await openCl({ spikes: SPIKES });
    const strict = await h.dataset.findSpikes({ threshold: 60, window: 5 });
    expect(strict.spikes.map((s) => [s.pixel, s.channel])).toEqual([
      [3, 100],
      [3, 700],
    ]);
    await h.dataset.removeSpikes({ threshold: 15, window: 5 });
    const both = await h.dataset.convertToEnergy();
    expect(both.steps).toEqual([
      'Removed 3 spikes (threshold 15, window 5)',
      'Converted to energy (nm → eV)',
    ]);
    expect((await h.dataset.revert()).steps).toEqual(['Removed 3 spikes (threshold 15, window 5)']);
    expect((await h.dataset.summary())!.axes[2]!.units).toBe('nm');
  });

  it('refuses bad parameters at the guard, naming the method and the field', () => {
    expect(() => apiGuards.dataset.findSpikes({ threshold: 0, window: 5 })).toThrow(
      'dataset.findSpikes.threshold: must be positive, got 0',
    );
    expect(() => apiGuards.dataset.removeSpikes({ threshold: 10, window: 1 })).toThrow(
      'dataset.removeSpikes.window: must be between 3 and 101, got 1',
    );
    expect(() => apiGuards.dataset.convertToEnergy({ to: 'eV' } as never)).toThrow(
      /^dataset\.convertToEnergy/,
    );
  });

  it('looks through a larger map in slices, and refuses a result for data replaced meanwhile', async () => {
    // 12x8 pixels of 1024 channels: two slices, the host answers other calls between them.
    const h = await openCl({
      rows: 12,
      cols: 8,
      spikes: [...SPIKES, { pixel: 90, channel: 50, counts: 900 }],
    });
    const report = await h.dataset.findSpikes({ threshold: 15, window: 5 });
    expect(report.spikes.map((s) => [s.pixel, s.channel])).toContainEqual([90, 50]);
    const searching = h.dataset.findSpikes({ threshold: 20, window: 5 });
    await h.dataset.convertToEnergy();
    await expect(searching).rejects.toThrow(
      'CL map: find spikes: the data changed during the search: find the spikes again',
    );
  });

  it('refuses an even window in the host, naming the dataset', async () => {
    const h = await openCl();
    await expect(h.dataset.findSpikes({ threshold: 10, window: 4 })).rejects.toThrow(
      'CL map: find spikes: spikes: window must be an odd integer of at least 3, got 4',
    );
  });
});
