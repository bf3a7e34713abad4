/** Colour scales of maps: ranges, colours, kinds and read-outs. */
import { describe, expect, it } from 'vitest';
import {
  COLOUR_MAPS,
  colourAt,
  normalise,
  quantile,
  scaleKind,
  scaleRange,
  valueText,
} from '../../../renderer/src/lib/logic/colour-scale.js';

describe('colour scale', () => {
  it('takes the full finite range, ignoring NaN and infinities', () => {
    expect(scaleRange(Float64Array.of(3, NaN, -1, Infinity, 7))).toEqual({ min: -1, max: 7 });
  });

  it('never returns an empty range', () => {
    expect(scaleRange(Float64Array.of(5, 5, 5))).toEqual({ min: 5, max: 6 });
    expect(scaleRange(Float64Array.of(NaN))).toEqual({ min: 0, max: 1 });
    expect(scaleRange([])).toEqual({ min: 0, max: 1 });
  });

  it('ignores the worst 2% at each end in robust mode', () => {
    const v = Float64Array.from({ length: 101 }, (_, i) => i);
    v[0] = -1e9;
    v[100] = 1e9;
    const r = scaleRange(v, 'robust');
    expect(r.min).toBeCloseTo(2, 9);
    expect(r.max).toBeCloseTo(98, 9);
    // Too few values for percentiles: the full range.
    expect(scaleRange(Float64Array.of(1, 100), 'robust')).toEqual({ min: 1, max: 100 });
  });

  it('interpolates quantiles', () => {
    expect(quantile(Float64Array.of(0, 10), 0.25)).toBe(2.5);
    expect(quantile(Float64Array.of(4), 0.9)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('maps values to colours along a colour map', () => {
    expect(colourAt('grey', 0)).toBe('#000000');
    expect(colourAt('grey', 1)).toBe('#ffffff');
    expect(colourAt('grey', 0.5)).toBe('#808080');
    expect(colourAt('viridis', 2)).toBe(COLOUR_MAPS.viridis.at(-1));
    expect(colourAt('viridis', NaN)).toBe('transparent');
    expect(normalise(5, { min: 0, max: 10 })).toBe(0.5);
    expect(normalise(-5, { min: 0, max: 10 })).toBe(0);
    expect(normalise(NaN, { min: 0, max: 10 })).toBeNaN();
  });

  it('picks the kind of scale from the image', () => {
    expect(scaleKind({ kind: 'sum' })).toBe('continuous');
    expect(scaleKind({ kind: 'parameter', parameter: 'g.A', field: 'std' })).toBe('continuous');
    expect(scaleKind({ kind: 'active', component: 'l2' })).toBe('binary');
    expect(scaleKind({ kind: 'seeds' })).toBe('binary');
    expect(scaleKind({ kind: 'marker' })).toBe('marker');
  });

  it('reads values out in words where numbers mean states', () => {
    expect(valueText(1234.5, { kind: 'sum' }, 'counts')).toBe('1234.5 counts');
    expect(valueText(NaN, { kind: 'redChisq' })).toBe('not fitted');
    expect(valueText(313583, { kind: 'sum' })).toBe('3.1358e+5');
    expect(valueText(1, { kind: 'active', component: 'l2' })).toBe('on');
    expect(valueText(NaN, { kind: 'active', component: 'l2' })).toBe('not fitted');
    expect(valueText(0, { kind: 'seeds' })).toBe('—');
    expect(valueText(-1, { kind: 'marker' })).toBe('done');
    expect(valueText(-2, { kind: 'marker' })).toBe('done (kept from the previous strategy)');
    expect(valueText(0.25, { kind: 'marker' })).toBe('candidate (priority 0.25)');
    expect(valueText(undefined, { kind: 'sum' })).toBe('');
  });
});
