/**
 * EDS models and tied parameters through our own .hspy writer and reader:
 * families are written as HyperSpy Gaussians and come back as families
 * (options, maps, ties to the calibration), and ties of any model come back
 * with their formulas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { buildEdsModel, calibrate, edsFamilyComponents } from '@samfire/core';
import { synthetic } from '../../../helpers/eds.js';

const tmp = mkdtempSync(join(tmpdir(), 'hspy-eds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('EDS models in .hspy files', () => {
  it('come back as the same families, calibration, ties and maps, evaluating the same', async () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0] });
    calibrate(model);
    for (const p of [0, 1, 42, 99]) model.fit(p, { bounded: true });
    // A per-pixel active map on one family survives too.
    const ag = model.component('Ag_L');
    ag.activeIsMultidimensional = true;
    ag.activeMap![5] = 0;
    const path = join(tmp, 'eds.hspy');
    await writeHspy(path, signal, { eds: model });
    const back = (await readHspy(path)).model(0, 'eds');
    expect(back.components.map((c) => `${c.name}:${c.kind}`)).toEqual(
      model.components.map((c) => `${c.name}:${c.kind}`),
    );
    model.components.forEach((c, ci) => {
      const d = back.components[ci]!;
      expect(d.fn.options).toEqual(c.fn.options);
      c.parameters.forEach((p, pi) => {
        const q = d.parameters[pi]!;
        expect(q.free, p.fullName).toBe(p.free);
        expect(q.twin?.fullName ?? null, p.fullName).toBe(p.twin?.fullName ?? null);
        expect(Array.from(q.map.values), p.fullName).toEqual(Array.from(p.map.values));
        expect(Array.from(q.map.isSet), p.fullName).toEqual(Array.from(p.map.isSet));
      });
    });
    expect(Array.from(back.component('Ag_L').activeMap!)).toEqual(Array.from(ag.activeMap!));
    expect(Array.from(back.chisq)).toEqual(Array.from(model.chisq));
    for (const px of [0, 42]) {
      model.fetchStoredValues(px);
      back.fetchStoredValues(px);
      expect(Array.from(back.evaluate())).toEqual(Array.from(model.evaluate()));
    }
    // The families still fit as one linear solve per pixel after the round trip.
    expect(back.fit(7, { bounded: true }).status).toBe('linear');
    expect(edsFamilyComponents(back).every((f) => !f.parameter('scale').free)).toBe(true);
  });
});
