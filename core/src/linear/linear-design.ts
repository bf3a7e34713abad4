/**
 * The design of a linear whole-map fit: with only linear parameters free
 * (amplitudes, polynomial coefficients; see ParameterSpec.linear) and every
 * other parameter the same at every pixel, the model on the fitted channels
 * is c + A p, A (m channels x k free parameters) and c (the fixed part) the
 * same at every pixel. Built from a Model's current values through the same
 * ModelProblem that `Model.fit` uses, so the columns are exactly the
 * Jacobian `lm` sees (binned scale and affine ties included).
 */
import type { Model } from '../model/model.js';
import { slotNames, tieSpecs } from '../model/model.js';
import { PixelFitter } from '../model/pixel-fitter.js';
import type { Parameter } from '../model/parameter.js';

/** Where a slot of the problem lives in the model: a parameter and its element. */
export interface SlotTarget {
  parameter: Parameter;
  /** Element of a multi-valued parameter. */
  element: number;
  /** 1 when the component is active and the parameter free or tied (it gets a std). */
  hasStd: boolean;
}

export interface LinearDesign {
  fitter: PixelFitter;
  /** Fitted channels. */
  m: number;
  /** Free parameters. */
  k: number;
  /** Columns of A, row-major by parameter: a[j * m + i] = d model_i / d p_j. */
  a: Float64Array;
  /** The model with every free parameter at 0 (fixed components, affine tie offsets). */
  c: Float64Array;
  /** Indices of the fitted channels in the signal axis. */
  channelIndex: Int32Array;
  /** First channel when the fitted channels are contiguous, else -1. */
  firstChannel: number;
  /** Slot of each free parameter. */
  freeSlots: Int32Array;
  /** Every slot's target in the model. */
  targets: SlotTarget[];
  /** Names of the free parameters (for messages). */
  freeNames: string[];
  /** Lower bound of each free parameter (-Infinity where none). */
  lower: Float64Array;
  /** Whether a tied slot follows a free one (then every pixel's ties are re-applied). */
  dynamicTies: boolean;
}

/**
 * Builds the design from the model's current values. Throws, naming the
 * parameter, when a free parameter is not linear, a non-linear parameter
 * differs from pixel to pixel, or a component is switched on or off per
 * pixel.
 */
export function linearDesign(model: Model): LinearDesign {
  const components = model.components;
  if (model.fittedChannels === 0)
    throw new Error('linear fit: no channel is switched on in the signal range');
  for (const c of components) {
    if (c.activeIsMultidimensional)
      throw new Error(
        `linear fit: component '${c.name}' is switched on or off per pixel; the linear whole-map fit needs the same components at every pixel (fit with SAMFire instead)`,
      );
  }
  model.followTwins();
  const fitter = new PixelFitter(
    components.map((c) => c.fn),
    model.signal.signalAxis,
    model.channelSwitches,
  );
  const problem = fitter.problem;
  const targets: SlotTarget[] = [];
  const names = slotNames(components);
  components.forEach((c, ci) => {
    problem.active[ci] = c.active ? 1 : 0;
    let s = problem.offsets[ci]!;
    for (const p of c.parameters) {
      for (let j = 0; j < p.length; j++, s++) {
        const v = p.current[j]!;
        if (c.active && (p.free || p.twin === null) && !Number.isFinite(v))
          throw new Error(`linear fit: parameter '${names[s]}' is ${v}; give it a finite value`);
        problem.slots[s] = v;
        problem.free[s] = p.free ? 1 : 0;
        fitter.lower[s] = p.bmin ?? -Infinity;
        fitter.upper[s] = p.bmax ?? Infinity;
        targets.push({
          parameter: p,
          element: j,
          hasStd: c.active && (p.free || p.twin !== null),
        });
      }
    }
  });
  const ties = tieSpecs(components);
  if (ties.length > 0) problem.setTies(ties, (slot) => `'${names[slot]}'`);
  problem.configure();
  const k = problem.nParams;
  if (k === 0) throw new Error('linear fit: the model has no free parameters to fit');
  if (!problem.linear) {
    const bad = components.flatMap((c) =>
      c.active ? c.parameters.filter((p) => p.free && !p.linear).map((p) => p.fullName) : [],
    );
    throw new Error(
      `linear fit: only linear parameters (amplitudes, polynomial coefficients) may be free; ${
        bad.length > 0
          ? `fix ${bad.map((n) => `'${n}'`).join(', ')}`
          : 'a tie that is not affine carries a free amplitude'
      } (or fit with SAMFire)`,
    );
  }
  const m = problem.nResiduals;
  if (m - k <= 0)
    throw new Error(
      `linear fit: ${m} fitted channels cannot determine ${k} free parameters; widen the signal range or fix parameters`,
    );
  // Non-linear parameters must be the same at every pixel where their maps are set.
  for (const c of components) {
    if (!c.active) continue;
    for (const p of c.parameters) {
      if (p.free || p.linear) continue;
      const { values, isSet } = p.map;
      for (let px = 0; px < isSet.length; px++) {
        if (!isSet[px]) continue;
        for (let j = 0; j < p.length; j++) {
          const v = values[px * p.length + j]!;
          if (v !== p.current[j] && Math.abs(v - p.current[j]!) > 1e-12 * Math.abs(v)) {
            throw new Error(
              `linear fit: parameter '${p.fullName}' is ${v} at pixel (${model.signal.pixelPosition(px).join(', ')}) but ${p.current[j]} now; the linear whole-map fit needs every non-linear parameter the same at every pixel (assign the current values to all pixels, or fit with SAMFire)`,
            );
          }
        }
      }
    }
  }
  const freeSlots = Int32Array.from(problem.freeSlots);
  // The problem's weights are 1 (a fresh problem): the Jacobian is A itself.
  problem.w.fill(1);
  const zero = new Float64Array(k);
  const a = new Float64Array(k * m);
  problem.jacobian(zero, a);
  const c = new Float64Array(m);
  problem.writeFree(zero);
  problem.evaluateModel(c);
  for (let i = 0; i < k * m; i++) {
    if (!Number.isFinite(a[i]!))
      throw new Error(
        `linear fit: the model's derivative for '${names[freeSlots[Math.floor(i / m)]!]}' is not finite at channel ${fitter.channelIndex[i % m]}`,
      );
  }
  const channelIndex = fitter.channelIndex;
  let contiguous = true;
  for (let i = 1; i < channelIndex.length; i++)
    if (channelIndex[i] !== channelIndex[i - 1]! + 1) contiguous = false;
  const lower = Float64Array.from(freeSlots, (s) => fitter.lower[s]!);
  // A tied slot whose root is free changes with the solution.
  const tiedTo = new Map(ties.map((t) => [t.slot, t.master]));
  const isFree = new Set(freeSlots);
  let dynamicTies = false;
  for (const t of ties) {
    let root = t.master;
    for (let guard = 0; tiedTo.has(root) && guard < ties.length; guard++) root = tiedTo.get(root)!;
    if (isFree.has(root)) dynamicTies = true;
  }
  return {
    fitter,
    m,
    k,
    a,
    c,
    channelIndex,
    firstChannel: contiguous ? channelIndex[0]! : -1,
    freeSlots,
    targets,
    freeNames: Array.from(freeSlots, (s) => names[s]!),
    lower,
    dynamicTies,
  };
}
