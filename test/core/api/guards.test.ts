/** The request guards: unknown in, typed out; a bad payload is refused with a message naming the field. */
import { describe, expect, it } from 'vitest';
import {
  apiMethods,
  hostMethods,
  ApiInputError,
  apiGuards,
  checkSettingsPatch,
  guardFor,
  hostGuards,
} from '@samfire/core/api';

describe('request guards', () => {
  it('has a guard for every listed method, and only those', () => {
    for (const [service, methods] of Object.entries(apiMethods)) {
      expect(Object.keys(apiGuards[service as keyof typeof apiGuards]).sort()).toEqual(
        [...methods].sort(),
      );
    }
    for (const [service, methods] of Object.entries(hostMethods)) {
      expect(Object.keys(hostGuards[service as keyof typeof hostGuards]).sort()).toEqual(
        [...methods].sort(),
      );
    }
    expect(guardFor(apiGuards, 'dataset', 'toString')).toBeNull();
    expect(guardFor(apiGuards, '__proto__', 'x')).toBeNull();
  });

  it('returns a clean copy of a good payload', () => {
    expect(
      apiGuards.model.setParameter({ parameter: 'g.A', value: 3, free: true, bmin: null }),
    ).toEqual({ parameter: 'g.A', value: 3, free: true, bmin: null });
    expect(apiGuards.dataset.image({ kind: 'parameter', parameter: 'g.A', field: 'std' })).toEqual({
      kind: 'parameter',
      parameter: 'g.A',
      field: 'std',
    });
    expect(apiGuards.model.setSignalRange({ range: null })).toEqual({ range: null });
    expect(
      apiGuards.file.openUpload({ files: [{ name: 'a.msa', bytes: new Uint8Array(3) }] }).files[0]!
        .name,
    ).toBe('a.msa');
    expect(apiGuards.model.loadVarianceDialog(undefined)).toBeUndefined();
    const bytes = new Uint8Array(3);
    expect(apiGuards.model.loadVarianceUpload({ files: [{ name: 'v.npy', bytes }] })).toEqual({
      files: [{ name: 'v.npy', bytes }],
    });
    expect(hostGuards.model.loadVariancePath({ path: '/data/v.npy' })).toEqual({
      path: '/data/v.npy',
    });
  });

  it('keeps the variance path call on the host side: the renderer can only use the dialog or an upload', () => {
    expect(guardFor(apiGuards, 'model', 'loadVariancePath')).toBeNull();
    expect(guardFor(hostGuards, 'model', 'loadVarianceDialog')).toBeNull();
    expect(guardFor(hostGuards, 'model', 'loadVarianceUpload')).not.toBeNull();
  });

  it.each([
    [
      () => apiGuards.model.setParameter({ parameter: 'g.A', value: NaN }),
      /model.setParameter.value: expected a finite number/,
    ],
    [
      () => apiGuards.model.setParameter({ parameter: 'g.A', bmin: 2, bmax: 1 }),
      /bmin 2 is above bmax 1/,
    ],
    [
      () => apiGuards.model.addComponent({ kind: '' }),
      /model.addComponent.kind: must not be empty/,
    ],
    [() => apiGuards.dataset.image({ kind: 'evil' }), /unknown image kind/],
    [() => apiGuards.file.openUpload({ files: [{ name: 'a', bytes: [1, 2] }] }), /expected bytes/],
    [() => apiGuards.file.openRecent({ path: 7 }), /file.openRecent.path: expected a string/],
    [
      () => apiGuards.fit.fitPixel({ pixel: 1.5, seed: true }),
      /fit.fitPixel.pixel: expected an integer/,
    ],
    [
      () => apiGuards.model.setVariance({ variance: { kind: 'poisson', gain: -1, offset: 0 } }),
      /gain: must be positive/,
    ],
    [() => apiGuards.app.info({}), /app.info: takes no argument/],
    [
      () => apiGuards.model.loadVarianceDialog({ path: '/etc/passwd' }),
      /model.loadVarianceDialog: takes no argument/,
    ],
    [
      () => apiGuards.model.loadVarianceUpload({ files: [{ name: 'v.npy', bytes: 'AAAA' }] }),
      /model.loadVarianceUpload.files\[0\].bytes: expected bytes/,
    ],
    [
      () => apiGuards.model.loadVarianceUpload({ files: 'v.npy' }),
      /model.loadVarianceUpload.files: expected a list/,
    ],
    [
      () =>
        apiGuards.model.loadVarianceUpload({
          files: Array.from({ length: 9 }, () => ({ name: 'v.npy', bytes: new Uint8Array(1) })),
        }),
      /model.loadVarianceUpload.files: more than 8 items/,
    ],
    [
      () =>
        apiGuards.model.loadVarianceUpload({
          files: [{ name: '', bytes: new Uint8Array(1) }],
        }),
      /model.loadVarianceUpload.files\[0\].name: must not be empty/,
    ],
    [
      () => apiGuards.model.loadVarianceUpload({ files: [], path: '/tmp/x.npy' }),
      /model.loadVarianceUpload: unexpected field 'path'/,
    ],
    [
      () =>
        apiGuards.model.setVariance({
          variance: { kind: 'array', source: 'x.npy', oneSpectrum: true },
        }),
      /model.setVariance.variance.kind: expected none, poisson or constant/,
    ],
    [
      () => hostGuards.model.loadVariancePath({ path: 3 }),
      /model.loadVariancePath.path: expected a string/,
    ],
    [() => hostGuards.model.loadVariancePath({}), /model.loadVariancePath.path: expected a string/],
    [
      () => hostGuards.model.loadVariancePath({ path: 'a'.repeat(5000) }),
      /model.loadVariancePath.path: longer than 4096 characters/,
    ],
  ])('refuses a bad payload (%#)', (call, message) => {
    expect(call).toThrow(ApiInputError);
    expect(call).toThrow(message);
  });

  it('checks SAMFire settings patches', () => {
    expect(
      checkSettingsPatch(
        { workers: 2, randomSeed: null, fit: { optimizer: 'lm', bounded: true } },
        's',
      ),
    ).toEqual({
      workers: 2,
      randomSeed: null,
      fit: { optimizer: 'lm', bounded: true },
    });
    expect(() => checkSettingsPatch({ strategies: [] }, 's')).toThrow(/keep at least one strategy/);
    expect(() =>
      checkSettingsPatch(
        { strategies: [{ kind: 'redChisq', name: 'a', settings: {} }], activeStrategy: 1 },
        's',
      ),
    ).toThrow(/past the 1 strategies/);
    expect(() => checkSettingsPatch({ goodness: { kind: 'redChisq', tolerance: 0 } }, 's')).toThrow(
      /tolerance: must be positive/,
    );
    expect(() => checkSettingsPatch({ fit: { optimizer: 'nelder', bounded: true } }, 's')).toThrow(
      /expected one of lm, mljs/,
    );
  });
});
