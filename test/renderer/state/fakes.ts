/**
 * Test doubles for the stores' outside world: a feedback that records the
 * notices and errors it would show, deferred promises to answer calls in any
 * order, and minimal datasets.
 */
import type { DatasetSummary } from '@samfire/core/api';
import type { NoticeKind } from '../../../renderer/src/lib/state/notices.svelte.js';
import type { Feedback } from '../../../renderer/src/lib/state/store-deps.js';

export interface Said {
  kind: NoticeKind | 'error';
  title: string;
  text: string;
}

/** A Feedback whose notices and guarded failures land in `said`. */
export function recordingFeedback(): Feedback & { said: Said[] } {
  const said: Said[] = [];
  return {
    said,
    notify(kind, title, text = '') {
      said.push({ kind, title, text });
      return said.length;
    },
    async guard(title, action) {
      try {
        return await action();
      } catch (e) {
        said.push({ kind: 'error', title, text: e instanceof Error ? e.message : String(e) });
        return null;
      }
    },
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A dataset summary with what the stores read (the rest is not looked at). */
export function dataset(name: string, pixels = 12, navigationShape = [3, 4]): DatasetSummary {
  return {
    title: name,
    pixels,
    navigationShape,
    axes: [{ name: 'Energy', units: 'eV', navigate: false }],
    source: { name },
  } as unknown as DatasetSummary;
}
