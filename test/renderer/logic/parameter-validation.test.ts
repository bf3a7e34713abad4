/** The parameter table's validation: what is sent, and what is refused with which message. */
import { describe, expect, it } from 'vitest';
import {
  checkComponentName,
  checkElementDraft,
  checkParameterDraft,
  elementName,
} from '../../../renderer/src/lib/logic/parameter-validation.js';

const sigma = { fullName: 'g.sigma', values: [50], bmin: 0, bmax: 100 };
const poly = { fullName: 'bg.coefficients', values: [1, 2, 3], bmin: null, bmax: null };

describe('parameter validation', () => {
  it('sends a typed value, and nothing when nothing changed', () => {
    expect(checkParameterDraft(sigma, { value: ' 20 ' })).toEqual({
      edit: { parameter: 'g.sigma', value: 20 },
      errors: [],
    });
    expect(checkParameterDraft(sigma, { value: '50' }).edit).toBeNull();
    expect(checkParameterDraft(sigma, {}).edit).toBeNull();
    expect(checkParameterDraft(sigma, { value: '1e1' }).edit).toEqual({
      parameter: 'g.sigma',
      value: 10,
    });
  });

  it('refuses text that is not a number, naming the parameter', () => {
    const r = checkParameterDraft(sigma, { value: 'wide' });
    expect(r.edit).toBeNull();
    expect(r.errors).toEqual([{ field: 'value', message: "g.sigma: 'wide' is not a number" }]);
    expect(checkParameterDraft(sigma, { value: '' }).errors[0]!.message).toBe(
      'g.sigma: type a number',
    );
  });

  it('clears a bound left blank, and refuses bounds out of order', () => {
    expect(checkParameterDraft(sigma, { bmax: '' }).edit).toEqual({
      parameter: 'g.sigma',
      bmax: null,
    });
    expect(checkParameterDraft(sigma, { bmin: 'none' }).edit).toEqual({
      parameter: 'g.sigma',
      bmin: null,
    });
    const r = checkParameterDraft(sigma, { bmin: '60', bmax: '40' });
    expect(r.edit).toBeNull();
    expect(r.errors[0]).toEqual({
      field: 'bmax',
      message: 'g.sigma: bmin 60 is above bmax 40; lower bmin or raise bmax',
    });
  });

  it('refuses a value outside the bounds, saying what to do', () => {
    expect(checkParameterDraft(sigma, { value: '120' }).errors[0]!.message).toBe(
      'g.sigma: value 120 is above bmax 100; type a smaller value or raise bmax',
    );
    expect(checkParameterDraft(sigma, { value: '-1' }).errors[0]!.message).toBe(
      'g.sigma: value -1 is below bmin 0; type a larger value or lower bmin',
    );
    // A new bound that leaves the value outside is refused on the bound's field.
    expect(checkParameterDraft(sigma, { bmax: '10' }).errors[0]!.field).toBe('bmax');
    // Value and bound typed together are checked together.
    expect(checkParameterDraft(sigma, { value: '120', bmax: '200' }).edit).toEqual({
      parameter: 'g.sigma',
      value: 120,
      bmax: 200,
    });
  });

  it('takes one number per value of a multi-valued parameter', () => {
    expect(checkParameterDraft(poly, { value: '1, 2.5, -3' }).edit).toEqual({
      parameter: 'bg.coefficients',
      value: [1, 2.5, -3],
    });
    expect(checkParameterDraft(poly, { value: '1 2' }).errors[0]!.message).toBe(
      'bg.coefficients: expected 3 numbers separated by commas, got 2',
    );
  });

  it('refuses a bad bound with a hint', () => {
    expect(checkParameterDraft(sigma, { bmin: 'x' }).errors[0]!.message).toBe(
      "g.sigma bmin: 'x' is not a number (leave blank for none)",
    );
  });

  it('checks component names', () => {
    expect(checkComponentName('g2', ['g'])).toBeNull();
    expect(checkComponentName(' ', ['g'])).toBe('type a name for the component');
    expect(checkComponentName('g', ['g'])).toBe("there is already a component named 'g'");
    expect(checkComponentName('g', ['g'], 'g')).toBeNull();
    expect(checkComponentName('my peak', [])).toMatch(/letters, digits and _ only/);
    expect(checkComponentName('g.x', [])).toMatch(/letters, digits and _ only/);
  });
});

describe('one value of a multi-valued parameter', () => {
  it('sends the whole list with the typed element replaced', () => {
    expect(checkElementDraft(poly, 1, '2.5e+9')).toEqual({
      edit: { parameter: 'bg.coefficients', value: [1, 2.5e9, 3] },
      errors: [],
    });
    expect(checkElementDraft(poly, 2, ' 3 ')).toEqual({ edit: null, errors: [] });
    expect(elementName('bg.coefficients', 0)).toBe('bg.coefficients[0]');
  });

  it('refuses text and out-of-bounds values, naming the element', () => {
    expect(checkElementDraft(poly, 0, 'x').errors).toEqual([
      { field: 'value', message: "bg.coefficients[0]: 'x' is not a number" },
    ]);
    const bounded = { ...poly, bmin: 0, bmax: 10 };
    expect(checkElementDraft(bounded, 2, '11').errors[0]!.message).toBe(
      'bg.coefficients[2]: value 11 is above bmax 10; type a smaller value or raise bmax',
    );
    expect(checkElementDraft(bounded, 2, '11').edit).toBeNull();
  });
});
