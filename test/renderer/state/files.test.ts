/** The files store on its own: opening, choosing a signal, cancelling, saving. */
import { describe, expect, it, vi } from 'vitest';
import type { DatasetSummary, FileApi, OpenProgress, OpenResult } from '@samfire/core/api';
import { Files, type FilesDeps } from '../../../renderer/src/lib/state/files.svelte.js';
import { dataset, deferred, recordingFeedback, settle } from './fakes.js';

function setup(over: Partial<FilesDeps> = {}, file: Partial<Record<keyof FileApi, unknown>> = {}) {
  const feedback = recordingFeedback();
  let progress: ((p: OpenProgress) => void) | null = null;
  const opened: DatasetSummary[] = [];
  const calls: string[] = [];
  const fileApi = {
    onOpenProgress: (l: (p: OpenProgress) => void) => {
      progress = l;
      return () => undefined;
    },
    recent: vi.fn(async () => [{ name: 'a.hspy', path: '/d/a.hspy' }]),
    readableExtensions: async () => ['.hspy', '.bcf'],
    folders: async () => ({ available: false, folders: [] }),
    openExample: vi.fn(async (): Promise<OpenResult> => ({
      kind: 'opened',
      dataset: dataset('example'),
    })),
    cancelOpen: vi.fn(async () => undefined),
    saveProject: vi.fn(async () => ({ kind: 'saved', path: '/d/p.hspy' })),
    saveBytes: vi.fn(async () => ({ kind: 'saved', path: '/d/map.png' })),
    ...file,
  } as unknown as FileApi;
  let unsaved = false;
  const deps: FilesDeps = {
    ...feedback,
    file: fileApi,
    confirmDiscard: async (action) => {
      calls.push(`confirm ${action}`);
      return true;
    },
    unsaved: () => unsaved,
    dialogs: () => true,
    running: () => false,
    pickFile: () => calls.push('pick'),
    onopened: async (d) => {
      opened.push(d);
    },
    onsaved: () => calls.push('saved'),
    ...over,
  };
  const files = new Files(deps);
  return {
    files,
    fileApi,
    feedback,
    opened,
    calls,
    progress: (p: OpenProgress) => progress?.(p),
    setUnsaved: (v: boolean) => (unsaved = v),
  };
}

describe('Files store', () => {
  it('loads the extensions and recent files', async () => {
    const { files } = setup();
    await files.init();
    expect(files.extensions).toEqual(['.hspy', '.bcf']);
    expect(files.recent.map((r) => r.name)).toEqual(['a.hspy']);
  });

  it('opens the example: asks first, tells the app, refreshes the recent list', async () => {
    const { files, opened, calls, fileApi } = setup();
    await files.openExample();
    expect(calls).toEqual(['confirm Open another file']);
    expect(opened.map((d) => d.title)).toEqual(['example']);
    expect(fileApi.recent).toHaveBeenCalledTimes(1);
    expect(files.opening).toBeNull();
  });

  it('opens nothing when the user keeps the unsaved results', async () => {
    const { files, opened, fileApi } = setup({ confirmDiscard: async () => false });
    await files.openExample();
    expect(fileApi.openExample).not.toHaveBeenCalled();
    expect(opened).toEqual([]);
  });

  it('shows what is being opened and its progress, only while it is opened', async () => {
    const pending = deferred<OpenResult>();
    const { files, progress } = setup({}, { openExample: () => pending.promise });
    progress({ name: 'old', done: 1, total: 10, stage: null });
    expect(files.openProgress).toBeNull();
    const done = files.openExample();
    await settle();
    expect(files.opening).toBe('the example');
    const half: OpenProgress = { name: 'example', done: 5, total: 10, stage: 'decoding' };
    progress(half);
    expect(files.openProgress).toEqual(half);
    pending.resolve({ kind: 'opened', dataset: dataset('x') });
    await done;
    expect(files.opening).toBeNull();
    expect(files.openProgress).toBeNull();
  });

  it('a failed open becomes an error naming what was opened; nothing changes', async () => {
    const { files, feedback, opened } = setup(
      {},
      {
        openExample: async () => {
          throw new Error('file.openExample: bad.bcf: not a Bruker file');
        },
      },
    );
    await files.openExample();
    expect(opened).toEqual([]);
    expect(feedback.said).toEqual([
      {
        kind: 'error',
        title: 'Could not open the example',
        text: 'file.openExample: bad.bcf: not a Bruker file',
      },
    ]);
  });

  it('cancel: back at once, the host told, a late failure not shown', async () => {
    const pending = deferred<OpenResult>();
    const { files, feedback, fileApi, opened } = setup({}, { openExample: () => pending.promise });
    const done = files.openExample();
    await settle();
    files.cancelOpen();
    expect(files.opening).toBeNull();
    expect(fileApi.cancelOpen).toHaveBeenCalledTimes(1);
    expect(feedback.said.map((s) => s.title)).toEqual(['Stopped opening the example']);
    pending.reject(new Error('read cancelled'));
    await done;
    expect(opened).toEqual([]);
    expect(feedback.said).toHaveLength(1);
  });

  it('cancel too late: the host had opened it, so the app follows the host', async () => {
    const pending = deferred<OpenResult>();
    const { files, opened } = setup({}, { openExample: () => pending.promise });
    const done = files.openExample();
    await settle();
    files.cancelOpen();
    pending.resolve({ kind: 'opened', dataset: dataset('late') });
    await done;
    expect(opened.map((d) => d.title)).toEqual(['late']);
  });

  it('a file with several signals: the choice waits, then the chosen one opens', async () => {
    const chooseSignal = vi.fn(async (): Promise<OpenResult> => ({
      kind: 'opened',
      dataset: dataset('EDS'),
    }));
    const { files, opened } = setup(
      {},
      {
        openRecent: async (): Promise<OpenResult> =>
          ({
            kind: 'choose',
            token: 't7',
            fileName: 'map.emd',
            signals: [],
          }) as unknown as OpenResult,
        chooseSignal,
      },
    );
    await files.openRecent({ name: 'map.emd', path: '/d/map.emd' } as never);
    expect(files.choice?.fileName).toBe('map.emd');
    expect(opened).toEqual([]);
    await files.choose(1);
    expect(chooseSignal).toHaveBeenCalledWith({ token: 't7', index: 1 });
    expect(files.choice).toBeNull();
    expect(opened.map((d) => d.title)).toEqual(['EDS']);
  });

  it('browser mode: asks before the page picker, and not again for the picked file', async () => {
    const { files, calls, setUnsaved } = setup({ dialogs: () => false });
    setUnsaved(true);
    await files.openDialog();
    expect(calls).toEqual(['confirm Open another file', 'pick']);
    await files.openFiles([new File([new Uint8Array([1, 2])], 'x.msa')]);
    expect(calls).toEqual(['confirm Open another file', 'pick']);
  });

  it('does not save a project with nothing open, nor during a run', async () => {
    const { files, feedback, fileApi } = setup({ running: () => true });
    await files.saveProject(false);
    expect(feedback.said.map((s) => s.title)).toEqual(['Nothing to save']);
    files.dataset = dataset('d');
    await files.saveProject(false);
    expect(feedback.said.map((s) => s.title)).toEqual(['Nothing to save', 'SAMFire is running']);
    expect(fileApi.saveProject).not.toHaveBeenCalled();
  });

  it('saves the project: where it went, nothing unsaved any more', async () => {
    const { files, feedback, calls, fileApi } = setup();
    files.dataset = dataset('d');
    await files.saveProject(true);
    expect(fileApi.saveProject).toHaveBeenCalledWith({ as: true });
    expect(files.savedTo).toBe('/d/p.hspy');
    expect(calls).toEqual(['saved']);
    expect(feedback.said.at(-1)).toEqual({
      kind: 'success',
      title: 'Project saved',
      text: '/d/p.hspy',
    });
  });

  it('saves bytes and says where; a cancelled save says nothing', async () => {
    const { files, feedback } = setup();
    expect(await files.saveBytes('map.png', new Uint8Array([1]))).toBe('/d/map.png');
    expect(feedback.said.at(-1)?.title).toBe('Exported');
    const other = setup({}, { saveBytes: async () => ({ kind: 'cancelled' }) });
    expect(await other.files.saveBytes('map.png', new Uint8Array([1]))).toBeNull();
    expect(other.feedback.said).toEqual([]);
  });
});
