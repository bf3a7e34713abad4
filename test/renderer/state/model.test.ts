/** The model store on its own: edits, typed values and their validation, the run guard. */
import { describe, expect, it, vi } from 'vitest';
import type { ModelApi, ModelState, ParameterState } from '@samfire/core/api';
import { ModelStore, type ModelDeps } from '../../../renderer/src/lib/state/model.svelte.js';
import { recordingFeedback } from './fakes.js';

const param = (fullName: string, values = [1]): ParameterState => ({
  name: fullName.split('.')[1]!,
  fullName,
  values,
  std: values.map(() => 0),
  free: true,
  bmin: null,
  bmax: null,
  units: '',
  isSet: false,
  atBound: values.map(() => null),
});

const model = (pixel = 0, params = [param('g.A'), param('p.coefficients', [1, 2, 3])]) =>
  ({
    pixel,
    components: [{ name: 'g', kind: 'Gaussian', parameters: params }],
    canUndo: true,
    undoLabel: 'set g.A',
  }) as unknown as ModelState;

function setup(over: Partial<ModelDeps> = {}) {
  const feedback = recordingFeedback();
  let changed: ((m: ModelState) => void) | null = null;
  const setParameter = vi.fn(async () => model());
  const addComponent = vi.fn(async () => model());
  const api = {
    onChanged: (l: (m: ModelState) => void) => {
      changed = l;
      return () => undefined;
    },
    state: async () => model(),
    componentKinds: async () => [{ kind: 'Gaussian' }],
    setParameter,
    addComponent,
    undo: vi.fn(async () => model()),
  } as unknown as ModelApi;
  let running = false;
  let pixel = 0;
  const onedited = vi.fn(async () => undefined);
  const deps: ModelDeps = {
    ...feedback,
    model: api,
    pixel: () => pixel,
    visibleRange: () => ({ start: 1, end: 2 }),
    running: () => running,
    onedited,
    ...over,
  };
  return {
    store: new ModelStore(deps),
    feedback,
    setParameter,
    addComponent,
    onedited,
    api,
    push: (m: ModelState) => changed?.(m),
    setRunning: (v: boolean) => (running = v),
    setPixel: (p: number) => (pixel = p),
  };
}

describe('ModelStore', () => {
  it('loads the model and the kinds; follows the host when the model changes', async () => {
    const { store, push } = setup();
    await store.load();
    expect(store.state?.components[0]?.name).toBe('g');
    expect(store.kinds).toEqual([{ kind: 'Gaussian' }]);
    push(model(7));
    expect(store.state?.pixel).toBe(7);
  });

  it('adds a component in the part of the spectrum in view, then redraws', async () => {
    const { store, addComponent, onedited } = setup();
    expect(await store.add({ kind: 'Gaussian', name: 'g2' })).toBe(true);
    expect(addComponent).toHaveBeenCalledWith({
      kind: 'Gaussian',
      name: 'g2',
      view: { start: 1, end: 2 },
    });
    expect(onedited).toHaveBeenCalledTimes(1);
  });

  it('refuses edits while SAMFire runs, saying so', async () => {
    const { store, setRunning, addComponent, feedback, onedited } = setup();
    setRunning(true);
    expect(await store.add({ kind: 'Gaussian' })).toBe(false);
    expect(addComponent).not.toHaveBeenCalled();
    expect(onedited).not.toHaveBeenCalled();
    expect(feedback.said[0]).toMatchObject({
      kind: 'warning',
      title: 'Cannot add Gaussian while SAMFire runs',
    });
  });

  it('a typed value that is not a number stays, marked, and blocks; a good one is applied', async () => {
    const { store, setParameter } = setup();
    await store.load();
    const a = store.state!.components[0]!.parameters[0]!;
    store.type(a, 'value', 'abc');
    expect(await store.commitAll()).toEqual([expect.stringMatching(/^g\.A: /)]);
    expect(store.drafts['g.A']).toEqual({ value: 'abc' });
    expect(setParameter).not.toHaveBeenCalled();
    store.type(a, 'value', '2.5');
    expect(await store.commitAll()).toEqual([]);
    expect(setParameter).toHaveBeenCalledWith(
      expect.objectContaining({ parameter: 'g.A', value: 2.5 }),
    );
    expect(store.drafts).toEqual({});
  });

  it('applies one value of a multi-valued parameter, to every pixel when asked', async () => {
    const { store, setParameter } = setup();
    await store.load();
    const c = store.state!.components[0]!.parameters[1]!;
    store.allPixels = true;
    store.typeElement(c, 1, '5');
    expect(await store.commitElement(c, 1)).toBe(true);
    expect(setParameter).toHaveBeenCalledWith(expect.objectContaining({ allPixels: true }));
  });

  it("keeps a refreshed state only if it is still the current pixel's", async () => {
    const { store, setPixel, api } = setup();
    setPixel(3);
    (api as { state: () => Promise<ModelState> }).state = async () => {
      setPixel(4);
      return model(3);
    };
    await store.refreshState();
    expect(store.state).toBeNull();
  });

  it('undoes with the label of the edit', async () => {
    const { store, api, feedback } = setup();
    await store.load();
    (api.undo as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('nothing to undo'));
    await store.undo();
    expect(feedback.said.at(-1)).toMatchObject({ kind: 'error', title: 'Could not undo set g.A' });
  });
});
