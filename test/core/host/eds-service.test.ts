/**
 * The model service's EDS calls, in-process: the builder's starting point
 * (metadata's elements and beam energy, the periodic table), building an EDS
 * model (one undoable edit, ordinary editable components), the line markers
 * and the "what is this peak?" look-up through the model's calibration, and
 * the calibration on the sum spectrum of the map or of a region.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { Signal } from '@samfire/core';
import { createEdsService } from '../../../core/src/host/eds-service.js';
import { Workspace } from '../../../core/src/host/workspace.js';
import { SHARED } from '../../helpers/reference.js';

const EDS = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;
/** The file's energy axis (keV). */
const AXIS = { offset: -0.47316066, scale: 0.009996 };
const BUILD = {
  elements: ['Al', 'Ag', 'Cu'],
  background: { kind: 'polynomial', order: 2 } as const,
  beamEnergy: 20,
  range: { start: 1.2, end: 3.6 },
};

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function openReal(): Promise<Host> {
  host = createHost(nodeHostDeps({ backupDir: null }));
  const r = await host.file.openPath({ path: EDS });
  expect(r.kind).toBe('opened');
  return host;
}

/** A small keV map with EDS metadata as HyperSpy writes it. */
function metadataSignal(units = 'keV'): Signal {
  const channels = 400;
  const data = new Float64Array(4 * channels);
  for (let p = 0; p < 4; p++)
    for (let i = 0; i < channels; i++) {
      const x = i * 0.025;
      data[p * channels + i] = 5 + 200 * Math.exp(-((x - 6.4) ** 2) / (2 * 0.06 ** 2));
    }
  return new Signal({
    data,
    axes: [
      { name: 'y', size: 2, offset: 0, scale: 1, units: 'nm', navigate: true },
      { name: 'x', size: 2, offset: 0, scale: 1, units: 'nm', navigate: true },
      { name: 'Energy', size: channels, offset: 0, scale: 0.025, units, navigate: false },
    ],
    signalType: 'EDS_TEM',
    metadata: {
      Sample: { elements: ['Fe', 'Ce'] },
      Acquisition_instrument: { TEM: { beam_energy: 15 } },
    },
  });
}

function workspaceWith(signal: Signal): Workspace {
  const ws = new Workspace();
  ws.open(signal, { kind: 'upload', name: 'm.hspy', path: null }, 0, 1);
  return ws;
}

describe('EDS builder in the host', () => {
  it('starts from the metadata: its elements preselected, its beam energy, the default range', async () => {
    const eds = createEdsService(workspaceWith(metadataSignal()), () => undefined);
    const setup = await eds.edsSetup();
    expect(setup.problem).toBeNull();
    expect(setup.elements).toEqual(['Fe', 'Ce']);
    expect(setup.beamEnergy).toBe(15);
    expect(setup.beamEnergyFromMetadata).toBe(true);
    expect(setup.resolution).toBe(130);
    expect(setup.units).toBe('keV');
    // From 0.1 keV to the axis's end (9.975 keV, below the beam energy).
    expect(setup.range.start).toBeCloseTo(0.1, 10);
    expect(setup.range.end).toBeCloseTo(9.975, 10);
    expect(setup.calibration).toBeNull();
    const table = new Map(setup.table.map(([z, s]) => [s, z]));
    expect(table.get('Fe')).toBe(26);
    expect(table.get('Ce')).toBe(58);
    expect(table.get('U')).toBe(92);
    // H and He have no X-ray lines in the table.
    expect(table.has('H')).toBe(false);
  });

  it('names the problem when the axis is not an energy axis', async () => {
    const eds = createEdsService(workspaceWith(metadataSignal('channels')), () => undefined);
    const setup = await eds.edsSetup();
    expect(setup.problem).toMatch(/units are 'channels', not eV or keV/);
    expect(setup.elements).toEqual([]);
  });

  it('builds the model as one undoable edit of ordinary components', async () => {
    const h = await openReal();
    const setup = await h.model.edsSetup();
    expect(setup.elements).toEqual([]); // the real map's file has no EDS metadata
    expect(setup.beamEnergyFromMetadata).toBe(false);
    const before = (await h.model.state()).components.map((c) => c.name);

    const state = await h.model.buildEdsModel(BUILD);
    // Cu has no line between 1.2 and 3.6 keV.
    expect(state.components.map((c) => c.name)).toEqual([
      'calibration',
      'background',
      'Al_K',
      'Ag_L',
    ]);
    expect(state.components.map((c) => c.kind)).toEqual([
      'EdsCalibration',
      'Polynomial',
      'XrayFamily',
      'XrayFamily',
    ]);
    expect(state.signalRange!.start).toBeCloseTo(1.2, 1);
    expect(state.signalRange!.end).toBeCloseTo(3.6, 1);
    expect(state.canUndo).toBe(true);
    expect(state.undoLabel).toBe('build an EDS model of Al, Ag, Cu');
    // Amplitudes start from the mean spectrum: positive.
    const al = state.components.find((c) => c.name === 'Al_K')!;
    expect(al.parameters.find((p) => p.name === 'A')!.values[0]).toBeGreaterThan(10);
    // The file's axis, fixed.
    expect((await h.model.edsSetup()).calibration).toMatchObject({
      offset: AXIS.offset,
      scale: AXIS.scale,
      free: { offset: false, scale: false, fwhmMnKa: false },
    });

    // Editable like any other component.
    const edited = await h.model.setParameter({ parameter: 'Al_K.A', value: 42 });
    expect(
      edited.components.find((c) => c.name === 'Al_K')!.parameters.find((p) => p.name === 'A')!
        .values[0],
    ).toBe(42);
    await h.model.renameComponent({ component: 'Ag_L', name: 'silver' });
    await h.model.undo();
    await h.model.undo();
    const undone = await h.model.undo();
    expect(undone.components.map((c) => c.name)).toEqual(before);
  });

  it('refuses a build that finds no line, and while SAMFire runs, leaving the model as it was', async () => {
    const h = await openReal();
    await expect(h.model.buildEdsModel({ ...BUILD, elements: ['Cu'] })).rejects.toThrow(
      /none of Cu has a line between 1.2 and 3.6 keV/,
    );
    expect((await h.model.state()).canUndo).toBe(false);

    const eds = createEdsService(workspaceWith(metadataSignal()), (action) => {
      throw new Error(`cannot ${action} while SAMFire runs`);
    });
    await expect(
      eds.buildEdsModel({ ...BUILD, elements: ['Fe'], range: { start: 1, end: 9 } }),
    ).rejects.toThrow(/cannot build an EDS model of Fe while SAMFire runs/);
    await expect(eds.calibrateEds({ region: null })).rejects.toThrow(
      /cannot calibrate the energy axis while SAMFire runs/,
    );
  });

  it('lists the lines of the chosen elements within the range and the beam energy', async () => {
    const h = await openReal();
    const lines = await h.model.edsLines({
      elements: ['Al', 'Ag', 'Cu', 'Fe'],
      beamEnergy: 20,
      range: { start: 1.2, end: 3.6 },
    });
    const names = lines.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['Al_Ka', 'Ag_La', 'Ag_Lb1']));
    expect(names.some((n) => n.startsWith('Cu_') || n.startsWith('Fe_'))).toBe(false);
    const positions = lines.map((l) => l.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // No calibration in the model: the table energy in keV.
    const al = lines.find((l) => l.name === 'Al_Ka')!;
    expect(al.position).toBeCloseTo(al.energy / 1000, 12);
    expect(al.energy).toBeCloseTo(1486.6, 0);

    // Fe K (7.1 keV edge) at 20 kV, and not at 7 kV (overvoltage).
    const wide = { start: 0.1, end: 10 };
    const fe20 = await h.model.edsLines({ elements: ['Fe'], beamEnergy: 20, range: wide });
    expect(fe20.map((l) => l.name)).toContain('Fe_Ka');
    const fe7 = await h.model.edsLines({ elements: ['Fe'], beamEnergy: 7, range: wide });
    expect(fe7.map((l) => l.name)).not.toContain('Fe_Ka');
    expect(fe7.map((l) => l.name)).toContain('Fe_La');
    expect(await h.model.edsLines({ elements: [], beamEnergy: 20, range: wide })).toEqual([]);
  });

  it('says which elements have a line near a position, nearest first', async () => {
    const h = await openReal();
    const near = await h.model.edsLinesNear({ position: 1.487, beamEnergy: 20 });
    expect(near[0]!.name).toBe('Al_Ka');
    expect(Math.abs(near[0]!.distance)).toBeLessThan(0.002);
    const d = near.map((l) => Math.abs(l.distance));
    expect(d).toEqual([...d].sort((a, b) => a - b));
    expect(near.length).toBeLessThanOrEqual(8);
    const agLa = await h.model.edsLinesNear({ position: 2.984, beamEnergy: 20, limit: 3 });
    expect(agLa.length).toBeLessThanOrEqual(3);
    expect(agLa.map((l) => l.name)).toContain('Ag_La');
    expect(await h.model.edsLinesNear({ position: -0.3, beamEnergy: 20 })).toEqual([]);
  });

  it('calibrates on the sum spectrum, fixes the calibration, and the markers follow it', async () => {
    const h = await openReal();
    await h.model.buildEdsModel(BUILD);
    const out = await h.model.calibrateEds({ region: null });
    expect(out.pixels).toBe(2500);
    // As calibrate() finds on this map (test/core/eds/eds-real.test.ts).
    expect(out.calibration.offset).toBeCloseTo(-0.47553, 3);
    expect(out.calibration.scale * 1000).toBeCloseTo(9.9861, 2);
    expect(out.calibration.fwhmMnKa).toBeGreaterThan(133);
    expect(out.calibration.fwhmMnKa).toBeLessThan(137);
    expect(out.calibration.free).toEqual({ offset: false, scale: false, fwhmMnKa: false });
    expect(out.std.offset).toBeGreaterThan(0);
    expect(out.axis).toEqual(AXIS);
    expect(out.redChisq).toBeLessThan(3);
    expect(out.model.undoLabel).toBe('calibrate the energy axis');
    const cal = out.model.components.find((c) => c.name === 'calibration')!;
    expect(cal.parameters.every((p) => !p.free)).toBe(true);
    expect((await h.model.edsSetup()).calibration).toEqual(out.calibration);

    // Markers land where the calibrated model puts the lines.
    const [al] = await h.model.edsLines({
      elements: ['Al'],
      beamEnergy: 20,
      range: { start: 1.2, end: 3.6 },
    });
    const c = out.calibration;
    const expected = AXIS.offset + (AXIS.scale / c.scale) * (al!.energy / 1000 - c.offset);
    expect(al!.position).toBeCloseTo(expected, 12);
    expect(Math.abs(al!.position - al!.energy / 1000)).toBeGreaterThan(0.001);
    // And the look-up maps back through it.
    const near = await h.model.edsLinesNear({ position: al!.position, beamEnergy: 20 });
    expect(near[0]!.name).toBe('Al_Ka');
    expect(Math.abs(near[0]!.distance)).toBeLessThan(1e-9);

    const undone = await h.model.undo();
    expect(undone.components.find((c) => c.name === 'calibration')!.parameters[0]!.values[0]).toBe(
      AXIS.offset,
    );
  });

  it('calibrates on a region of the navigator', async () => {
    const h = await openReal();
    await h.model.buildEdsModel(BUILD);
    const out = await h.model.calibrateEds({
      region: { rows: [20, 29], cols: [20, 29], reduce: 'sum' },
    });
    expect(out.pixels).toBe(100);
    expect(out.calibration.offset).toBeCloseTo(-0.4755, 2);
    await expect(
      h.model.calibrateEds({ region: { rows: [40, 59], cols: [0, 1], reduce: 'sum' } }),
    ).rejects.toThrow(/region rows 40–59, columns 0–1: the map has 50 rows/);
  });

  it('refuses to calibrate a model that is not an EDS model', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    await host.file.openExample();
    await expect(host.model.calibrateEds({ region: null })).rejects.toThrow(
      /no EdsCalibration component/,
    );
  });
});
