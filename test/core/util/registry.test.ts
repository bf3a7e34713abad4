/** The one registry of named kinds, and the three that use it. */
import { describe, expect, it } from 'vitest';
import {
  componentKinds,
  createComponentFunction,
  createGoodnessTest,
  gaussian,
  goodnessTestKinds,
  registerComponentKind,
  registerGoodnessTest,
  RedChisqTest,
} from '@samfire/core';
import { Registry } from '../../../core/src/util/registry.js';

describe('Registry', () => {
  it('keeps registration order, refuses silent replacement and lists the known kinds', () => {
    const r = new Registry<number>('widget', [['a', 1]]);
    r.register('b', 2);
    expect(r.kinds()).toEqual(['a', 'b']);
    expect(r.get('b')).toBe(2);
    expect(() => r.register('a', 3)).toThrow(
      "widget 'a' is already registered (pass replace = true to replace it)",
    );
    r.register('a', 3, true);
    expect(r.get('a')).toBe(3);
    expect(() => r.get('c')).toThrow("unknown widget 'c' (known: a, b)");
  });

  it('is what components and goodness tests are registered in', () => {
    expect(() => createComponentFunction('Nope')).toThrow(
      /unknown component kind 'Nope' \(known: Gaussian, /,
    );
    expect(() => registerComponentKind('Gaussian', () => gaussian())).toThrow(
      "component kind 'Gaussian' is already registered",
    );
    registerComponentKind('MyPeak', () => gaussian());
    expect(componentKinds()).toContain('MyPeak');
    expect(() => createGoodnessTest({ kind: 'nope', tolerance: 1 })).toThrow(
      /unknown goodness test 'nope' \(known: redChisq, AIC/,
    );
    registerGoodnessTest('my_test', (t) => new RedChisqTest(t), true);
    expect(goodnessTestKinds()).toContain('my_test');
  });
});
