/** The maps a model offers to the navigator and the results view. */
import { describe, expect, it } from 'vitest';
import type { ModelState, ParameterState } from '@samfire/core/api';
import {
  groupChoices,
  imageChoices,
  requestKey,
} from '../../../renderer/src/lib/logic/image-choices.js';
import { dataUrlBytes } from '../../../renderer/src/lib/logic/data-url.js';

const p = (fullName: string, n = 1): ParameterState => ({
  name: fullName.split('.')[1]!,
  fullName,
  values: Array(n).fill(0),
  std: [],
  free: true,
  bmin: null,
  bmax: null,
  units: '',
  isSet: false,
  atBound: Array(n).fill(null),
});

const model = {
  components: [
    {
      name: 'g',
      kind: 'Gaussian',
      options: {},
      active: true,
      optional: false,
      parameters: [p('g.A')],
    },
    {
      name: 'bg',
      kind: 'Polynomial',
      options: { order: 1 },
      active: true,
      optional: true,
      parameters: [p('bg.coefficients', 2)],
    },
  ],
} as unknown as ModelState;

describe('image choices', () => {
  it('offers data, fit statistics, parameters, std maps and on/off maps of optional components', () => {
    const labels = imageChoices(model).map((c) => c.label);
    expect(labels).toEqual([
      'Sum',
      'Reduced χ²',
      'Marker',
      'Seeds',
      'g.A',
      'bg.coefficients[0]',
      'bg.coefficients[1]',
      'g.A std',
      'bg.coefficients[0] std',
      'bg.coefficients[1] std',
      'bg on/off',
    ]);
    expect(imageChoices(model, { sum: false, run: false })[0]!.label).toBe('Reduced χ²');
    expect(groupChoices(imageChoices(model)).map(([g]) => g)).toEqual([
      'Data',
      'Fit',
      'Parameters',
      'Standard deviations',
      'On/off',
    ]);
  });

  it('keys requests uniquely', () => {
    const keys = imageChoices(model).map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(requestKey({ kind: 'parameter', parameter: 'g.A' })).toBe(
      requestKey({ kind: 'parameter', parameter: 'g.A', index: 0, field: 'values' }),
    );
  });

  it('decodes chart exports (data: URLs) to bytes', () => {
    expect([...dataUrlBytes('data:image/png;base64,iVBORw==')]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(new TextDecoder().decode(dataUrlBytes('data:text/plain,a%20b'))).toBe('a b');
  });
});
