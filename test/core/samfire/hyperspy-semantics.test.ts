/**
 * The SAMFire API against HyperSpy 1.7.3's own behaviour (issue 16, items
 * 16-18), on the domain reference case: the expected markers below are what
 * test/interop/py/samfire_semantics.py printed when run by hand
 * (`/usr/bin/python3 test/interop/py/samfire_semantics.py`) on HyperSpy's
 * SAMFire result (../shared/data/reference/domain-7x15x400/hyperspy.hspy,
 * model `samfire`, whose red_chisq map is hyperspy_maps.json's), radii 1.
 * Only the reduced chi-squared map matters to these markers (the weights),
 * so the model here is a grid carrying that map.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Samfire } from '@samfire/core';
import { HistogramStrategy } from '@samfire/core';
import { RedChisqStrategy } from '@samfire/core';
import { DOMAIN_DIR } from '../../helpers/reference.js';
import { gridModel, testHost } from './fixtures.js';

const ROWS = 7;
const COLS = 15;
const N = ROWS * COLS;
const at = (row: number, col: number): number => row * COLS + col;

const hyperspyRedChisq = (
  JSON.parse(readFileSync(`${DOMAIN_DIR}hyperspy_maps.json`, 'utf8')) as {
    red_chisq: number[][];
  }
).red_chisq.flat();

/** A 7x15 grid whose every pixel holds a stored fit with HyperSpy's reduced chi-squared. */
function domainGrid(): ReturnType<typeof gridModel> {
  const model = gridModel([ROWS, COLS]);
  expect(hyperspyRedChisq).toHaveLength(N);
  hyperspyRedChisq.forEach((r, p) => {
    model.redChisq[p] = r;
    model.dof[p] = 391;
    model.chisq[p] = r * 391;
  });
  return model;
}

/** given: columns 0-4. */
const GIVEN = Uint8Array.from({ length: N }, (_, p) => (p % COLS < 5 ? 1 : 0));
const GIVEN_PIXELS = [...GIVEN.keys()].filter((p) => GIVEN[p] === 1);

/** The probe's marker before each refresh: -1 everywhere but for a few pixels. */
function refreshState(marker: Float64Array): void {
  marker.fill(-1);
  marker[at(0, 2)] = -2;
  marker[at(3, 12)] = -2;
  marker[at(6, 1)] = 0;
  marker[at(5, 3)] = 0.5;
  marker[at(2, 10)] = 0.7;
}

interface Expected {
  fitted: number[];
  ignored: number[];
  candidates: Record<number, number>;
  /** What every other pixel holds. */
  rest: 0 | 1;
}

function expectMarker(marker: Float64Array, e: Expected): void {
  const want = new Float64Array(N).fill(e.rest);
  for (const p of e.fitted) want[p] = -1;
  for (const p of e.ignored) want[p] = -2;
  for (const [p, v] of Object.entries(e.candidates)) want[Number(p)] = v;
  for (let p = 0; p < N; p++) {
    if (!Number.isInteger(want[p]!)) expect(marker[p], `pixel ${p}`).toBeCloseTo(want[p]!, 12);
    else expect(marker[p], `pixel ${p}`).toBe(want[p]);
  }
}

/** HyperSpy's envelope on column 5 from the given pixels of column 4 (radius 1). */
const COLUMN_5 = {
  [at(0, 5)]: 0.3439598128231033,
  [at(1, 5)]: 0.3398987789678955,
  [at(2, 5)]: 0.3448391628168502,
  [at(3, 5)]: 0.3661165017531955,
  [at(4, 5)]: 0.3283285086856379,
  [at(5, 5)]: 0.3599099560808546,
  [at(6, 5)]: 0.3537797654227125,
};

const notIn =
  (...pixels: number[]) =>
  (p: number): boolean =>
    !pixels.includes(p);

describe('refresh(overwrite, given) as HyperSpy 1.7.3 does it (issue 16, item 17)', () => {
  function strategies() {
    const model = domainGrid();
    const local = new RedChisqStrategy({ radii: 1 });
    const global = new HistogramStrategy();
    const host = testHost(model, [local, global]);
    return { host, local, global };
  }

  it('local, without overwrite: only given fitted pixels propagate; the others become candidates', () => {
    const { host, local } = strategies();
    refreshState(host.marker);
    local.refresh(false, GIVEN);
    expectMarker(host.marker, {
      // -1 and given; (0, 2) stays ignored; (6, 1) and (5, 3) were not fitted: candidates.
      fitted: GIVEN_PIXELS.filter(notIn(at(0, 2), at(6, 1), at(5, 3))),
      ignored: [at(0, 2), at(3, 12)],
      candidates: { ...COLUMN_5, [at(5, 3)]: 1.4094162373062054, [at(6, 1)]: 1.0266536191235625 },
      rest: 0,
    });
  });

  it('local, with overwrite: the given pixels are fitted, every other pixel is recomputed', () => {
    const { host, local } = strategies();
    refreshState(host.marker);
    local.refresh(true, GIVEN);
    expectMarker(host.marker, { fitted: GIVEN_PIXELS, ignored: [], candidates: COLUMN_5, rest: 0 });
  });

  it('global, without overwrite: fitted pixels outside given are +1 again, ignored ones inside stay', () => {
    const { host, global } = strategies();
    host.list.setActive(1);
    refreshState(host.marker);
    global.refresh(false, GIVEN);
    expectMarker(host.marker, {
      fitted: GIVEN_PIXELS.filter(notIn(at(0, 2), at(6, 1), at(5, 3))),
      ignored: [at(0, 2)],
      candidates: {},
      rest: 1,
    });
  });

  it('global, with overwrite: the given pixels are fitted, every other pixel +1', () => {
    const { host, global } = strategies();
    host.list.setActive(1);
    refreshState(host.marker);
    global.refresh(true, GIVEN);
    expectMarker(host.marker, { fitted: GIVEN_PIXELS, ignored: [], candidates: {}, rest: 1 });
  });
});

describe('the engine and its public marker, as HyperSpy 1.7.3 (issue 16, items 16 and 18)', () => {
  function engine(): Samfire {
    const s = new Samfire(domainGrid(), { workers: 0, setup: false, randomSeed: 5 });
    (s.strategies.at(0) as RedChisqStrategy).radii = 1;
    return s;
  }

  it('generateValues sees values written into metadata.marker after an earlier pick', () => {
    const s = engine();
    const marker = s.metadata.marker;
    expect(s.generateValues(3)).toEqual([]);
    for (const p of [at(1, 1), at(2, 5), at(4, 9), at(6, 14)]) marker[p] = 2;
    expect(s.pixelsLeft).toBe(4);
    const picked = s.generateValues(10).map((pick) => pick.pixel);
    // HyperSpy: [(1, 1), (2, 5), (4, 9), (6, 14)] in some order (ties are random).
    expect(picked.sort((a, b) => a - b)).toEqual([at(1, 1), at(2, 5), at(4, 9), at(6, 14)]);
    expect(s.pixelsLeft).toBe(0);
    expect(s.runningPixels).toHaveLength(4);
  });

  it('a good fit resets every pixel being fitted to 0, whatever was written there since its pick', () => {
    const s = engine();
    const marker = s.metadata.marker;
    marker[at(3, 8)] = 4;
    marker[at(0, 0)] = 3;
    const picked = [...s.generateValues(1), ...s.generateValues(1)].map((pick) => pick.pixel);
    expect(picked).toEqual([at(3, 8), at(0, 0)]);
    marker[at(3, 8)] = 0.6; // being fitted, next to (3, 7)
    marker[at(0, 0)] = 0.9; // being fitted, far away
    marker[at(2, 8)] = 0.25; // a candidate (diagonal: outside radius 1)
    s.update(at(3, 7), null, true);
    expectMarker(marker, {
      fitted: [at(3, 7)],
      ignored: [],
      candidates: {
        [at(2, 7)]: 0.36727374803336404,
        [at(3, 6)]: 0.36727374803336404,
        [at(4, 7)]: 0.36727374803336404,
        [at(2, 8)]: 0.25,
      },
      rest: 0,
    });
    expect(s.runningPixels.sort((a, b) => a - b)).toEqual([at(0, 0), at(3, 8)]);
  });
});
