/**
 * EDS models from a list of elements: components and ties, defaults from
 * HyperSpy's metadata names, line selection, and recovery on a synthetic map
 * made with a known calibration, resolution and element amplitudes (Poisson
 * noise): calibration within 1 eV, resolution within 2%, amplitudes within
 * their std, with the per-pixel fits taking the linear path.
 */
import { describe, expect, it } from 'vitest';
import {
  Model,
  Signal,
  buildEdsModel,
  calibrate,
  edsCalibration,
  edsFamilyComponents,
  edsSettings,
} from '@samfire/core';
import type { Parameter } from '@samfire/core';
import {
  CHANNELS,
  ELEMENTS,
  NOMINAL,
  SIDE,
  TRUE,
  edsSignal,
  synthetic,
  truthAmplitude,
} from '../../helpers/eds.js';

describe('buildEdsModel', () => {
  it('makes a calibration, a background and one family per element family in range, tied', () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0] });
    expect(model.components.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'calibration:EdsCalibration',
      'background:Polynomial',
      'Si_K:XrayFamily',
      'Fe_K:XrayFamily',
      'Ag_L:XrayFamily',
    ]);
    const cal = edsCalibration(model);
    // Defaults from the metadata under HyperSpy's names.
    expect(cal.parameter('fwhm_MnKa').value).toBe(133);
    expect(cal.parameter('offset').value).toBe(NOMINAL.offset);
    for (const f of edsFamilyComponents(model)) {
      for (const name of ['offset', 'scale', 'fwhm_MnKa']) {
        expect(f.parameter(name).twin).toBe(cal.parameter(name));
        expect(f.parameter(name).free).toBe(false);
      }
      expect(f.parameter('A').free).toBe(true);
      expect(f.parameter('A').value).toBeGreaterThan(0); // started from the mean spectrum
    }
    // Fe L (0.7 keV) is below the range, Ag K (22 keV) above the beam energy.
    expect(model.components.map((c) => c.name)).not.toContain('Fe_L');
    expect(model.components.map((c) => c.name)).not.toContain('Ag_K');
    expect(model.freeParameterCount).toBe(3 + 3);
    expect(model.fittedChannels).toBe(801);
  });

  it('reads the defaults from the metadata and the options override them', () => {
    const { signal } = synthetic();
    const s = edsSettings(signal);
    expect(s).toEqual({
      elements: ELEMENTS,
      beamEnergy: 20,
      resolution: 133,
      range: [0.1, NOMINAL.offset + (CHANNELS - 1) * NOMINAL.scale],
      energyUnit: 1000,
    });
    const o = edsSettings(signal, {
      elements: ['cu'],
      beamEnergy: 15,
      resolution: 125,
      range: [5, 2],
    });
    expect(o).toMatchObject({ elements: ['Cu'], beamEnergy: 15, resolution: 125, range: [2, 5] });
    // The overvoltage: at 8 kV Fe K (edge 7.11 keV) is excited, Cu K (edge 8.98 keV) is not.
    const low = buildEdsModel(signal, { elements: ['Fe', 'Cu'], beamEnergy: 8, range: [1, 9] });
    expect(low.components.map((c) => c.name)).toEqual([
      'calibration',
      'background',
      'Fe_K',
      'Cu_L',
    ]);
  });

  it('refuses what it cannot build, saying why', () => {
    const { signal } = synthetic();
    const bare = new Signal({
      data: new Float64Array(8),
      axes: [{ name: 'E', size: 8, offset: 0, scale: 1, units: 'nm', navigate: false }],
    });
    expect(() => buildEdsModel(bare, { elements: ['Fe'] })).toThrow(
      /units are 'nm', not eV or keV/,
    );
    const noElements = edsSignal(new Float64Array(SIDE * SIDE * CHANNELS));
    expect(() => buildEdsModel(noElements)).toThrow(/no elements given.*Sample.elements/);
    expect(() => buildEdsModel(signal, { elements: ['Xx'] })).toThrow(
      /'Xx' is not an element symbol/,
    );
    expect(() => buildEdsModel(signal, { elements: ['H'] })).toThrow(/none of H has a line/);
    expect(() => buildEdsModel(signal, { background: 'spline' as never })).toThrow(
      /background 'spline'/,
    );
  });

  it('offers a Bremsstrahlung background, its shape parameters fixed', () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0], background: 'bremsstrahlung' });
    const bg = model.component('background');
    expect(bg.kind).toBe('Bremsstrahlung');
    expect(bg.parameter('beam_energy').value).toBe(20);
    expect(bg.parameter('beam_energy').free).toBe(false);
    expect(bg.parameter('cutoff').free).toBe(false);
    expect(bg.parameter('A').free).toBe(true);
  });
});

describe('calibrate and fit every pixel (synthetic map with known truth)', () => {
  it('recovers the calibration within 1 eV, the resolution within 2%, the amplitudes within their std', () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0], resolution: 140 });
    const result = calibrate(model);
    // Energies in eV: the axis is in keV.
    expect(Math.abs(result.offset - TRUE.offset) * 1000).toBeLessThan(1);
    const top = CHANNELS - 1;
    const energyAtTop = result.offset + top * result.scale;
    expect(Math.abs(energyAtTop - (TRUE.offset + top * TRUE.scale)) * 1000).toBeLessThan(1);
    expect(Math.abs(result.fwhmMnKa / TRUE.fwhm - 1)).toBeLessThan(0.02);
    // Its std is honest: the error is within 4 std.
    expect(Math.abs(result.offset - TRUE.offset)).toBeLessThan(4 * result.std.offset);
    expect(Math.abs(result.fwhmMnKa - TRUE.fwhm)).toBeLessThan(4 * result.std.fwhmMnKa);
    expect(result.pixels).toBe(SIDE * SIDE);
    expect(result.fit.redChisq).toBeLessThan(1.3);
    // Fixed at every pixel afterwards, families following.
    const cal = edsCalibration(model);
    expect(cal.parameters.every((p) => !p.free)).toBe(true);
    expect(cal.parameter('offset').map.values[37]).toBe(result.offset);
    expect(model.parameter('Fe_K.scale').map.values[37]).toBe(result.scale);

    const pulls: number[] = [];
    const statuses = new Set<string>();
    for (let p = 0; p < SIDE * SIDE; p++) {
      const r = model.fit(p, { bounded: true });
      statuses.add(r.status);
      for (const f of edsFamilyComponents(model)) {
        const a: Parameter = f.parameter('A');
        pulls.push((a.value - truthAmplitude(f.name, p)) / a.std);
      }
    }
    // Only amplitudes and coefficients free: one linear solve per pixel.
    expect([...statuses]).toEqual(['linear']);
    const outside = pulls.filter((z) => Math.abs(z) > 3).length;
    expect(outside).toBeLessThanOrEqual(2); // of 300, at 3 sigma expect about 1
    const rms = Math.sqrt(pulls.reduce((s, z) => s + z * z, 0) / pulls.length);
    expect(rms).toBeGreaterThan(0.8);
    expect(rms).toBeLessThan(1.25);
    const mean = pulls.reduce((s, z) => s + z, 0) / pulls.length;
    expect(Math.abs(mean)).toBeLessThan(0.3);
  });

  it('calibrates on a region, and only the parameters asked for', () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0] });
    const mask = new Uint8Array(SIDE * SIDE);
    mask.fill(1, 0, 30);
    const r = calibrate(model, { region: mask, free: ['offset'] });
    expect(r.pixels).toBe(30);
    expect(r.scale).toBe(NOMINAL.scale);
    expect(r.fwhmMnKa).toBe(133);
    expect(Number.isNaN(r.std.scale)).toBe(true);
    expect(Number.isFinite(r.std.offset)).toBe(true);
    expect(() => calibrate(model, { region: new Uint8Array(SIDE * SIDE) })).toThrow(
      /selects no pixel/,
    );
    expect(() => calibrate(new Model(signal, [{ kind: 'Offset' }]))).toThrow(/no EdsCalibration/);
  });
});
