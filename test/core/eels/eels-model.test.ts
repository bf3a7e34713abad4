/**
 * EELS core-loss models: the pre-edge power law (two-area start, least
 * squares), `addEdges` (onsets from the table, microscope from the metadata,
 * range set), and a synthetic map with known edge intensities on a power-law
 * background recovered within their std.
 */
import { describe, expect, it } from 'vitest';
import { Model, Signal, addEdges, createComponentFunction, fitPowerLaw } from '@samfire/core';
import { mulberry32, poissonSample } from '../../helpers/random.js';

const N = 500;
const OFFSET = 400;
const x = Float64Array.from({ length: N }, (_, i) => OFFSET + i);

function edgeShape(element: string, subshell: string): Float64Array {
  const fn = createComponentFunction('EELSCLEdge', {
    element,
    subshell,
    beamEnergy: 200,
    collectionAngle: 20,
  });
  const p = Float64Array.from(
    fn.parameters.flatMap((s) => Array<number>(s.length ?? 1).fill(s.value ?? 0)),
  );
  p[0] = 1;
  const out = new Float64Array(N);
  fn.evaluate(x, N, p, out);
  return out;
}

describe('fitPowerLaw', () => {
  it('recovers A and r of a noiseless power law; the two-area start is close already', () => {
    const y = Float64Array.from(x, (v) => 3e10 * v ** -3.2);
    const fit = fitPowerLaw(x, y, 400, 500);
    expect(fit.r).toBeCloseTo(3.2, 6);
    expect(fit.A / 3e10).toBeCloseTo(1, 5);
    expect(Math.abs(fit.start.r - 3.2)).toBeLessThan(0.05);
  });

  it('says when the window has too few channels', () => {
    expect(() => fitPowerLaw(x, x, 10, 12)).toThrow(/only 0 channels/);
  });
});

describe('addEdges and a synthetic O K map', () => {
  const nav = 9;
  const okShape = edgeShape('O', 'K');
  const truth = Float64Array.from({ length: nav }, (_, i) => 40 + 10 * i);
  const rand = mulberry32(14);
  const data = new Float64Array(nav * N);
  for (let p = 0; p < nav; p++) {
    const a = 2e10 * (1 + 0.05 * p);
    for (let i = 0; i < N; i++)
      data[p * N + i] = poissonSample(rand, a * x[i]! ** -3 + truth[p]! * okShape[i]!);
  }
  const signal = (): Signal => {
    const s = new Signal({
      data: Float64Array.from(data),
      axes: [
        { name: 'x', size: 3, offset: 0, scale: 1, units: 'nm', navigate: true },
        { name: 'y', size: 3, offset: 0, scale: 1, units: 'nm', navigate: true },
        { name: 'Energy loss', size: N, offset: OFFSET, scale: 1, units: 'eV', navigate: false },
      ],
      signalType: 'EELS',
      metadata: {
        Acquisition_instrument: {
          TEM: { beam_energy: 200, Detector: { EELS: { collection_angle: 20 } } },
        },
      },
    });
    s.setVariance({ kind: 'poisson', gain: 1, offset: 0, floor: 1 });
    return s;
  };

  it('adds O K at its EELS onset (532 eV) with the metadata microscope, a power law and the range', () => {
    const model = new Model(signal());
    const added = addEdges(model, 'O');
    expect(added.edges.map((c) => c.name)).toEqual(['O_K']);
    const edge = added.edges[0]!;
    expect(edge.parameter('onset_energy').value).toBeCloseTo(532, 6);
    expect(edge.fn.options).toMatchObject({ beamEnergy: 200, collectionAngle: 20 });
    expect(added.background.kind).toBe('PowerLaw');
    expect(added.window[1]).toBeCloseTo(527, 6);
    expect(added.range).toEqual([477, 899]);
    // The channels from the one nearest the window's start to the end.
    expect(Math.abs(model.fittedChannels - 422)).toBeLessThanOrEqual(1);
    // Start values close to the truth of pixel 0.
    expect(added.background.parameter('r').value).toBeCloseTo(3, 0);
    expect(edge.parameter('intensity').value / truth[0]!).toBeGreaterThan(0.7);
    expect(edge.parameter('intensity').value / truth[0]!).toBeLessThan(1.3);
    expect(added.notes).toEqual([]);
  });

  it('fits every pixel and recovers the edge intensities within 3 std', () => {
    const model = new Model(signal());
    addEdges(model, 'O');
    for (let p = 0; p < nav; p++) {
      model.fetchStoredValues(p);
      const r = model.fit(p);
      expect(r.redChisq).toBeLessThan(1.3);
      const i = model.parameter('O_K.intensity');
      expect(Math.abs(i.value - truth[p]!)).toBeLessThan(3 * i.std);
      expect(i.std / truth[p]!).toBeLessThan(0.1);
    }
  });

  it('refuses an element without an edge on the axis, naming the range', () => {
    expect(() => addEdges(new Model(signal()), 'Au')).toThrow(
      /Au has no K or L2,3 edge between 400 and 899/,
    );
  });

  it('adds both K and L2,3 when both lie on the axis (Fe L3 only here)', () => {
    const model = new Model(signal());
    const added = addEdges(model, 'Fe');
    expect(added.edges.map((c) => c.name)).toEqual(['Fe_L3']);
    expect(added.edges[0]!.parameter('onset_energy').value).toBeCloseTo(706.8, 6);
  });
});
