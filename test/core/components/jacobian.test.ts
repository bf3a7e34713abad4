/**
 * Every built-in component's analytic Jacobian against a numerical derivative
 * of its own `evaluate`, and the `rows` convention of ComponentFunction.jacobian.
 * One table: a new component only needs a new row in COMPONENTS.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  componentKinds,
  createComponentFunction,
  exponential,
  gaussian,
  lorentzian,
  offset,
  polynomial,
  powerLaw,
  pseudoVoigt,
} from '@samfire/core';
import type { ComponentFunction } from '@samfire/core';

const RUNS = 100;
const REL_TOL = 1e-6;

interface ComponentCase {
  label: string;
  fn: ComponentFunction;
  /** Parameter points (in slot order) in a physically sensible range. */
  params: fc.Arbitrary<number[]>;
  /** Axis values the Jacobian is checked on. */
  x: Float64Array;
}

/** `count` points from `start` by `step`. */
function grid(start: number, step: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => start + i * step);
}

const num = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A value of either sign with magnitude in [min, max] (no denormals near 0). */
const signed = (min: number, max: number): fc.Arbitrary<number> =>
  fc.tuple(fc.boolean(), num(min, max)).map(([neg, v]) => (neg ? -v : v));

const PEAK_X = grid(-15, 0.25, 121);

const COMPONENTS: ComponentCase[] = [
  {
    label: 'Gaussian',
    fn: gaussian(),
    params: fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5)),
    x: PEAK_X,
  },
  {
    label: 'Lorentzian',
    fn: lorentzian(),
    params: fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5)),
    x: PEAK_X,
  },
  {
    label: 'PseudoVoigt',
    fn: pseudoVoigt(),
    params: fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5), num(0, 1)),
    x: PEAK_X,
  },
  { label: 'Offset', fn: offset(), params: fc.tuple(num(-1e4, 1e4)), x: grid(-5, 0.5, 21) },
  {
    label: 'Exponential',
    fn: exponential(),
    params: fc.tuple(signed(1e-3, 1e4), num(0.5, 50)),
    x: grid(0, 0.25, 81),
  },
  {
    // Slots: A, left_cutoff, origin, r. The cutoff sits halfway between axis
    // values, so no value is within a difference step of the jump.
    label: 'PowerLaw (origin, left_cutoff)',
    fn: powerLaw(),
    params: fc.tuple(
      num(1, 1e7),
      fc.integer({ min: 0, max: 30 }).map((k) => k + 0.25),
      num(-5, 0.5),
      num(1, 5),
    ),
    x: grid(1, 0.5, 99),
  },
  ...[0, 1, 2, 3, 4].map((order): ComponentCase => ({
    label: `Polynomial order ${order}`,
    fn: polynomial({ order }),
    params: fc.array(num(-100, 100), { minLength: order + 1, maxLength: order + 1 }),
    x: grid(-3, 0.125, 49),
  })),
  {
    // Ag L on an eV axis (10 eV channels): A, offset, scale, fwhm_MnKa. (On a keV
    // axis the difference step of the scale, 1e-5, would move the lines by a fifth of a width.)
    label: 'XrayFamily',
    fn: createComponentFunction('XrayFamily', {
      element: 'Ag',
      family: 'L',
      lines: [
        { name: 'La', energy: 2982.1, weight: 0.6, spread: 1.7 },
        { name: 'Lb1', energy: 3150, weight: 0.25 },
        { name: 'Lb2', energy: 3347, weight: 0.15 },
      ],
      energyUnit: 1,
      axisOffset: -470,
      axisScale: 10,
    }),
    params: fc.tuple(num(1, 1e5), num(-480, -460), num(9.9, 10.1), num(100, 160)),
    x: grid(2500, 10, 121),
  },
  {
    label: 'EdsCalibration',
    fn: createComponentFunction('EdsCalibration'),
    params: fc.tuple(num(-1, 1), num(0.005, 0.02), num(100, 160)),
    x: grid(0, 0.5, 11),
  },
  {
    // A, beam_energy, cutoff (keV); the axis stays below the beam energy.
    label: 'Bremsstrahlung',
    fn: createComponentFunction('Bremsstrahlung'),
    params: fc.tuple(num(1, 1e4), num(8, 30), num(0.2, 1.5)),
    x: grid(0.3, 0.05, 140),
  },
  {
    // O K (table onset 543.1 eV) with 5 fine-structure Gaussians; onsets at
    // 543.125 + j keep every axis value 0.125 eV from the edge's table knots
    // (0.25 eV apart from the onset), so no difference step crosses one.
    label: 'EELSCLEdge (fine structure active)',
    fn: createComponentFunction('EELSCLEdge', {
      element: 'O',
      subshell: 'K',
      beamEnergy: 200,
      collectionAngle: 20,
      fineStructureActive: true,
      fineStructureWidth: 20,
      fineStructureCount: 5,
    }),
    params: fc.tuple(
      num(1e-3, 10),
      num(-50, 50),
      num(-50, 50),
      num(-50, 50),
      num(-50, 50),
      num(-50, 50),
      num(5, 50),
      fc.integer({ min: -8, max: 8 }).map((j) => 543.125 + j),
    ),
    x: grid(530, 0.5, 120),
  },
];

/** Kinds with their own tests instead of a row here (their parameters depend on options). */
const NOT_IN_TABLE = new Set(['Expression']);

function evaluate(fn: ComponentFunction, x: Float64Array, p: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  fn.evaluate(x, x.length, p, out);
  return out;
}

/** The analytic Jacobian with rows = identity: row k is d f / d p[k]. */
function analyticJacobian(fn: ComponentFunction, x: Float64Array, p: Float64Array): Float64Array {
  const out = new Float64Array(fn.size * x.length);
  fn.jacobian(
    x,
    x.length,
    p,
    out,
    Int32Array.from({ length: fn.size }, (_, k) => k),
  );
  return out;
}

/**
 * d f / d p[k] by central differences with one Richardson step:
 * (4 D(h/2) - D(h)) / 3, truncation error O(h^4).
 */
function numericalRow(fn: ComponentFunction, x: Float64Array, p: Float64Array, k: number) {
  const h = 1e-5 * Math.max(Math.abs(p[k]!), 1);
  const central = (step: number): Float64Array => {
    const q = Float64Array.from(p);
    q[k] = p[k]! + step;
    const plus = evaluate(fn, x, q);
    q[k] = p[k]! - step;
    const minus = evaluate(fn, x, q);
    return plus.map((v, i) => (v - minus[i]!) / (2 * step));
  };
  const dh = central(h);
  const dh2 = central(h / 2);
  return dh2.map((v, i) => (4 * v - dh[i]!) / 3);
}

describe('component Jacobians', () => {
  it('the table has a row for every registered built-in kind', () => {
    const inTable = new Set(COMPONENTS.map((c) => c.fn.kind));
    const missing = componentKinds().filter((k) => !NOT_IN_TABLE.has(k) && !inTable.has(k));
    expect(missing).toEqual([]);
  });

  describe.each(COMPONENTS)('$label', ({ fn, params, x }) => {
    it('has an analytic Jacobian and a parameter point for every slot', () => {
      expect(fn.analyticJacobian).toBe(true);
      fc.assert(
        fc.property(params, (p) => p.length === fn.size),
        { seed: 42, numRuns: 10 },
      );
    });

    it('every Jacobian row equals a central difference of evaluate (relative 1e-6)', () => {
      fc.assert(
        fc.property(params, (values) => {
          const p = Float64Array.from(values);
          const n = x.length;
          const jac = analyticJacobian(fn, x, p);
          for (let k = 0; k < fn.size; k++) {
            const row = jac.subarray(k * n, (k + 1) * n);
            const num = numericalRow(fn, x, p, k);
            let scale = 0;
            for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(row[i]!));
            for (let i = 0; i < n; i++) {
              const a = row[i]!;
              const b = num[i]!;
              const tol = REL_TOL * Math.max(Math.abs(a), Math.abs(b), scale);
              if (!(Math.abs(a - b) <= tol)) {
                throw new Error(
                  `slot ${k} (${fn.parameters.map((s) => s.name).join(', ')}) at x = ${x[i]}: analytic ${a}, numerical ${b}, p = [${values.join(', ')}]`,
                );
              }
            }
          }
        }),
        { seed: 42, numRuns: RUNS },
      );
    });

    it('rows[k] = -1 skips slot k and rows may be permuted and offset (untouched rows keep a sentinel)', () => {
      const SENTINEL = -123456.789;
      const layout = fc.record({
        perm: fc.shuffledSubarray(
          Array.from({ length: fn.size }, (_, k) => k),
          { minLength: fn.size, maxLength: fn.size },
        ),
        skip: fc.array(fc.boolean(), { minLength: fn.size, maxLength: fn.size }),
        base: fc.integer({ min: 0, max: 3 }),
      });
      fc.assert(
        fc.property(params, layout, (values, { perm, skip, base }) => {
          const p = Float64Array.from(values);
          const n = x.length;
          const reference = analyticJacobian(fn, x, p);
          const rows = Int32Array.from({ length: fn.size }, (_, k) =>
            skip[k] ? -1 : base + perm[k]!,
          );
          const totalRows = base + fn.size + 1;
          const out = new Float64Array(totalRows * n).fill(SENTINEL);
          fn.jacobian(x, n, p, out, rows);
          const written = new Set<number>();
          for (let k = 0; k < fn.size; k++) {
            const r = rows[k]!;
            if (r < 0) continue;
            written.add(r);
            for (let i = 0; i < n; i++) {
              if (!Object.is(out[r * n + i], reference[k * n + i])) {
                throw new Error(
                  `slot ${k} -> row ${r}, i = ${i}: ${out[r * n + i]} vs ${reference[k * n + i]}`,
                );
              }
            }
          }
          for (let r = 0; r < totalRows; r++) {
            if (written.has(r)) continue;
            for (let i = 0; i < n; i++) {
              if (out[r * n + i] !== SENTINEL)
                throw new Error(`row ${r} (not asked for) was written at i = ${i}`);
            }
          }
        }),
        { seed: 42, numRuns: RUNS },
      );
    });

    it('evaluate and jacobian write only the first n values of a row', () => {
      const SENTINEL = 987.654;
      fc.assert(
        fc.property(params, fc.integer({ min: 1, max: x.length - 1 }), (values, n) => {
          const p = Float64Array.from(values);
          const full = evaluate(fn, x, p);
          const out = new Float64Array(x.length).fill(SENTINEL);
          fn.evaluate(x, n, p, out);
          for (let i = 0; i < x.length; i++) {
            const want = i < n ? full[i] : SENTINEL;
            if (!Object.is(out[i], want))
              throw new Error(`evaluate, i = ${i}: ${out[i]} vs ${want}`);
          }
          // With n < x.length the rows are n long: row k occupies [k n, (k + 1) n).
          const reference = analyticJacobian(fn, x, p);
          const jac = new Float64Array(fn.size * n + 5).fill(SENTINEL);
          fn.jacobian(
            x,
            n,
            p,
            jac,
            Int32Array.from({ length: fn.size }, (_, k) => k),
          );
          for (let k = 0; k < fn.size; k++) {
            for (let i = 0; i < n; i++) {
              if (!Object.is(jac[k * n + i], reference[k * x.length + i])) {
                throw new Error(`jacobian slot ${k}, i = ${i}: ${jac[k * n + i]}`);
              }
            }
          }
          for (let j = fn.size * n; j < jac.length; j++) {
            if (jac[j] !== SENTINEL) throw new Error(`jacobian wrote past its rows at ${j}`);
          }
        }),
        { seed: 42, numRuns: 30 },
      );
    });
  });
});
