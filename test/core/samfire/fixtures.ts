/**
 * Small models for SAMFire's unit tests: a navigation grid of given shape,
 * a few channels, and components whose maps and fit statistics the tests
 * set by hand (no fitting needed to test marker and strategy arithmetic).
 */
import { Model, Signal, RedChisqTest, StrategyList } from '@samfire/core';
import type { AxisSpec, PixelResult, GoodnessTest, Strategy, StrategyHost } from '@samfire/core';

export function gridSignal(shape: number[], channels = 8, fill = 10): Signal {
  const nav = shape.reduce((n, s) => n * s, 1);
  const axes: AxisSpec[] = shape.map((size, d) => ({
    name: `n${d}`,
    size,
    offset: 0,
    scale: 1,
    units: '',
    navigate: true,
  }));
  axes.push({ name: 'E', size: channels, offset: 0, scale: 1, units: 'eV', navigate: false });
  return new Signal({ data: new Float64Array(nav * channels).fill(fill), axes, title: 'grid' });
}

/** Offset `o` (1 slot) and Gaussian `g` (A, centre, sigma) on a grid. */
export function gridModel(shape: number[], channels = 8): Model {
  return new Model(gridSignal(shape, channels), [
    { kind: 'Offset', name: 'o' },
    { kind: 'Gaussian', name: 'g' },
  ]);
}

/** Marks `pixel` as holding a stored fit with the given reduced chi-squared and offset value. */
export function storeFit(model: Model, pixel: number, redChisq: number, offset = 0): void {
  model.redChisq[pixel] = redChisq;
  model.dof[pixel] = 4;
  model.chisq[pixel] = redChisq * 4;
  const p = model.parameter('o.offset');
  p.map.values[pixel] = offset;
  p.map.isSet[pixel] = 1;
}

export function result(
  pixel: number,
  values: number[],
  extra: Partial<PixelResult> = {},
): PixelResult {
  return {
    pixel,
    good: true,
    values: Float64Array.from(values),
    std: Float64Array.from(values, (v) => v / 100),
    active: Uint8Array.of(1, 1),
    chisq: 4.4,
    dof: 4,
    redChisq: 1.1,
    fits: 1,
    status: 'ftol',
    ...extra,
  };
}

/** A stand-in engine for strategy tests: a marker, a running set, a count. */
export interface TestHost extends StrategyHost {
  marker: Float64Array;
  running: Set<number>;
  count: number;
  updateEvery: number;
  goodnessTest: GoodnessTest;
  list: StrategyList;
}

export function testHost(model: Model, strategies: Strategy[]): TestHost {
  const host = {
    model,
    marker: new Float64Array(model.signal.navigationSize),
    running: new Set<number>(),
    count: 0,
    updateEvery: 10,
    goodnessTest: new RedChisqTest(1) as GoodnessTest,
    isRunning(pixel: number): boolean {
      return host.running.has(pixel);
    },
  } as TestHost;
  host.list = new StrategyList(
    { host, checkCanRemoveActive: () => undefined, activeRemoved: () => undefined },
    strategies,
  );
  return host;
}
