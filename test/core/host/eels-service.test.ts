/**
 * The model service's EELS calls on the real EELS spectrum image HyperSpy
 * ships (EELS_SI.dm4: 2x2 pixels, 300-2347 eV, an O K edge): the builder's
 * starting point (the file's 200 kV and 62 mrad, the edges on the axis),
 * adding O's edges (an O_K edge at 532 eV, a power law started in the
 * pre-edge window, the range set, one undoable edit), a fit of the seed
 * pixel from there, and the refusals (an axis not in eV; no edge on it).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

const EELS_SI = '/usr/lib/python3/dist-packages/hyperspy/tests/io/dm4_3D_data/EELS_SI.dm4';
const present = existsSync(EELS_SI) || process.env['CI'] === 'true';
if (!present) console.warn(`EELS host tests skipped: ${EELS_SI} missing (python3-hyperspy)`);

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function open(path: string): Promise<Host> {
  host = createHost(nodeHostDeps({ backupDir: null }));
  const r = await host.file.openPath({ path });
  expect(r.kind).toBe('opened');
  return host;
}

const O = { element: 'O', beamEnergy: 200, collectionAngle: 62, fineStructure: false };

describe.skipIf(!present)('EELS edge builder in the host', () => {
  it('starts from the file: its microscope and the edges whose onsets lie on the axis', async () => {
    const h = await open(EELS_SI);
    const setup = await h.model.eelsSetup();
    expect(setup.problem).toBeNull();
    expect(setup.eels).toBe(true);
    expect(setup).toMatchObject({
      beamEnergy: 200,
      beamEnergyFromMetadata: true,
      collectionAngle: 62,
      collectionAngleFromMetadata: true,
    });
    const names = setup.edges.map((e) => `${e.element}_${e.subshell}`);
    expect(names).toContain('O_K');
    expect(names).toContain('Fe_L3');
    expect(names).not.toContain('C_K'); // 284 eV: below the axis
    expect(setup.edges.every((e) => e.onset > 300 && e.onset < 2337)).toBe(true);
    // The EDS builder steps aside for an EELS dataset.
    expect((await h.model.edsSetup()).problem).toMatch(/EELS/);
  });

  it('adds O K and a power law, sets the range, and the seed fits from there; undo removes it', async () => {
    const h = await open(EELS_SI);
    const out = await h.model.addEelsEdges(O);
    expect(out.edges).toEqual(['O_K']);
    expect(out.model.components.map((c) => c.kind).sort()).toEqual(['EELSCLEdge', 'PowerLaw']);
    const onset = out.model.components
      .find((c) => c.name === 'O_K')!
      .parameters.find((p) => p.name === 'onset_energy')!;
    expect(onset.values[0]).toBe(532);
    expect(out.window.end).toBe(527);
    expect(out.range).toEqual({ start: out.window.start, end: 2347 });
    expect(out.notes).toEqual([]);
    const fit = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(fit.redChisq).toBeGreaterThan(0);
    expect(fit.converged).toBe(true);
    // O K alone leaves the data above the model past the Si K onset (1839 eV): the app says so.
    expect(fit.good).toBe(false);
    expect(fit.diagnosis.kind).toBe('structure');
    expect(fit.diagnosis.region!.excess).toBe('above');
    expect(fit.diagnosis.region!.start).toBeGreaterThan(1839);
    expect(fit.diagnosis.text).toMatch(/the model misses a feature; largest at \d+–\d+ eV/);
    const intensity = (await h.model.state()).components
      .find((c) => c.name === 'O_K')!
      .parameters.find((p) => p.name === 'intensity')!.values[0]!;
    expect(intensity).toBeGreaterThan(10);
    const undone = await h.model.undo();
    expect(undone.components).toEqual([]);
  });

  it('refuses an element with no edge on the axis, naming it and the axis', async () => {
    const h = await open(EELS_SI);
    await expect(h.model.addEelsEdges({ ...O, element: 'C' })).rejects.toThrow(
      /C has no K or L2,3 edge between 300 and 2347 eV/,
    );
    expect((await h.model.state()).components).toEqual([]);
    await expect(h.model.addEelsEdges({ ...O, element: 'Xx' as 'O' })).rejects.toThrow(/Xx/);
  });
});
