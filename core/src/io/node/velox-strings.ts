/**
 * The JSON strings of a Velox file (`Version`, each stream's
 * `AcquisitionSettings`, each spectrum image's `SpectrumImageSettings`, the
 * `Operations/<type>/<uuid>` texts), read in a worker thread with a time
 * limit.
 *
 * Why a thread: these are HDF5 variable-length strings, kept in the file's
 * global heap, and the HDF5 library (1.14 in h5wasm, and natively through
 * h5py alike) can loop forever on a damaged global heap collection (found by
 * the fuzz test: one string written over the next object's header). A loop
 * inside WebAssembly cannot be interrupted on the thread that runs it, but a
 * worker can be terminated: so the strings are read there, and a file that
 * does not give them up in time is a FileFormatError, not a frozen app. The
 * rest of the reader reads only numeric datasets, which never touch that heap.
 *
 * The worker is plain JavaScript evaluated from a string (it only needs
 * h5wasm, resolved here), so it runs the same from the TypeScript sources,
 * the compiled package and a bundled app. One worker serves every read and
 * does not keep the process alive; a timed-out one is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { Entity, Group } from 'h5wasm/node';
import { FileFormatError } from '../errors.js';
import { throwIfAborted } from '../source.js';
import { h5wasm } from './hspy-h5read.js';

const H5T_STRING = 3;

/**
 * What went wrong, from an HDF5 error: its deepest entry ("ran off end of
 * input buffer while decoding (HDF5 H5HG__cache_heap_deserialize)"), or the
 * first line of anything else.
 */
export function hdf5Problem(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const deepest = [...text.matchAll(/#\d+: .* in (\w+)\(\): (.*)/g)].pop();
  if (deepest) return `${deepest[2]!.trim()} (HDF5 ${deepest[1]!})`;
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** How long the strings of one file may take once the worker is ready. */
export const STRINGS_TIMEOUT_MS = 5000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const H5T_STRING = 3;
let h5 = null;
const ready = import(workerData.h5wasm).then(async (m) => {
  await m.default.ready;
  m.Module.activate_throwing_error_handler();
  h5 = m;
});
function message(e) {
  const t = e instanceof Error ? e.message : String(e);
  const deepest = [...t.matchAll(/#\\d+: .* in (\\w+)\\(\\): (.*)/g)].pop();
  return deepest ? deepest[2].trim() + ' (HDF5 ' + deepest[1] + ')' : (t.split('\\n').find((l) => l.trim() !== '') || t).trim();
}
function read(path) {
  const strings = {};
  const problems = {};
  const file = new h5.File(path, 'r');
  try {
    const child = (group, name) => (group.keys().includes(name) ? group.get(name) : null);
    const isGroup = (e) => e instanceof h5.Group;
    const take = (group, name, key) => {
      try {
        const d = child(group, name);
        if (!(d instanceof h5.Dataset)) return;
        const meta = d.metadata;
        if (meta.type !== H5T_STRING || meta.total_size !== 1) {
          problems[key] = 'is not one string';
          return;
        }
        const v = d.value;
        const s = Array.isArray(v) ? v[0] : v;
        if (typeof s === 'string') strings[key] = s;
        else problems[key] = 'is not a string';
      } catch (e) {
        problems[key] = message(e);
      }
    };
    take(file, 'Version', 'Version');
    const data = child(file, 'Data');
    const each = (parent, name, leaf) => {
      const g = parent && child(parent, name);
      if (!isGroup(g)) return;
      for (const k of g.keys()) {
        const sub = child(g, k);
        if (isGroup(sub)) take(sub, leaf, 'Data/' + name + '/' + k + '/' + leaf);
      }
    };
    if (isGroup(data)) {
      each(data, 'SpectrumStream', 'AcquisitionSettings');
      each(data, 'SpectrumImage', 'SpectrumImageSettings');
    }
    const ops = child(file, 'Operations');
    if (isGroup(ops)) {
      for (const type of ops.keys()) {
        const g = child(ops, type);
        if (!isGroup(g)) continue;
        for (const k of g.keys()) take(g, k, 'Operations/' + type + '/' + k);
      }
    }
  } finally {
    try { file.close(); } catch {}
  }
  return { strings, problems };
}
parentPort.on('message', async ({ id, path }) => {
  try {
    await ready;
    parentPort.postMessage({ id, ok: true, ...read(path) });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: message(e) });
  }
});
ready.then(
  () => parentPort.postMessage({ ready: true }),
  (e) => parentPort.postMessage({ ready: false, error: message(e) }),
);
`;

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  strings?: Record<string, string>;
  problems?: Record<string, string>;
  error?: string;
}

/** The strings by path ('Version', 'Data/SpectrumStream/<uuid>/AcquisitionSettings', ...). */
export interface VeloxStrings {
  strings: Map<string, string>;
  /** Strings that exist but could not be read, with why. */
  problems: Map<string, string>;
}

class StringsWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  readonly ready: Promise<void>;
  #next = 0;
  #busy = 0;
  #dead: string | null = null;

  constructor(h5wasmUrl: string) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { h5wasm: h5wasmUrl } });
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const fail = (reason: string): void => {
      this.#dead = reason;
      failReady(new Error(reason));
      for (const settle of this.#pending.values()) settle({ ok: false, error: reason });
      this.#pending.clear();
    };
    this.#worker.on('message', (reply: Reply) => {
      if (reply.ready === true) return markReady();
      if (reply.ready === false) return fail(`the HDF5 reader thread cannot start: ${reply.error}`);
      const settle = reply.id === undefined ? undefined : this.#pending.get(reply.id);
      if (settle !== undefined) {
        this.#pending.delete(reply.id!);
        settle(reply);
      }
    });
    this.#worker.on('error', (e) => fail(`the HDF5 reader thread failed: ${e.message}`));
    this.#worker.on('exit', (code) => fail(`the HDF5 reader thread exited (code ${code})`));
    // Idle, the thread must not keep the process alive; busy, it must (see #hold).
    this.#worker.unref();
    this.#hold();
    this.ready.then(
      () => this.#release(),
      () => this.#release(),
    );
  }

  /** Keeps the process alive while something waits on the thread (unref'd when idle). */
  #hold(): void {
    if (this.#busy++ === 0) this.#worker.ref();
  }

  #release(): void {
    if (--this.#busy === 0) this.#worker.unref();
  }

  get dead(): boolean {
    return this.#dead !== null;
  }

  request(path: string, timeoutMs: number): Promise<Reply | 'timeout'> {
    if (this.#dead !== null) return Promise.resolve({ ok: false, error: this.#dead });
    const id = this.#next++;
    this.#hold();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#release();
        resolve('timeout');
      }, timeoutMs);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        this.#release();
        resolve(reply);
      });
      this.#worker.postMessage({ id, path });
    });
  }

  terminate(): void {
    this.#dead = 'terminated';
    void this.#worker.terminate();
  }
}

let shared: StringsWorker | null = null;
/** Why the thread cannot be used here (a bundle without h5wasm on disk, say), once known. */
let noThread: string | null = null;

function h5wasmUrl(): string | null {
  try {
    return import.meta.resolve('h5wasm/node');
  } catch {
    return null;
  }
}

/**
 * The JSON strings of the Velox file at `path` (absolute), read in the
 * worker; a FileFormatError naming `fileName` if the HDF5 library does not
 * finish within `timeoutMs` (the worker is then replaced) or cannot open it.
 * Where no thread can load h5wasm, they are read on this thread instead
 * (without the time limit).
 */
export async function readVeloxStrings(
  path: string,
  fileName: string,
  options: { signal?: AbortSignal; timeoutMs?: number; thread?: boolean } = {},
): Promise<VeloxStrings> {
  const url = h5wasmUrl();
  if (url === null) noThread ??= 'h5wasm cannot be resolved to a file';
  if (options.thread === false || noThread !== null) return readHere(path, fileName);
  if (shared === null || shared.dead) shared = new StringsWorker(url!);
  const worker = shared;
  try {
    await worker.ready;
  } catch (err) {
    noThread = err instanceof Error ? err.message : String(err);
    return readHere(path, fileName);
  }
  throwIfAborted(options.signal);
  const timeout = options.timeoutMs ?? STRINGS_TIMEOUT_MS;
  const reply = await worker.request(path, timeout);
  if (reply === 'timeout') {
    worker.terminate();
    if (shared === worker) shared = null;
    throw new FileFormatError(
      fileName,
      `the HDF5 library did not finish reading the file's text datasets within ${timeout / 1000} s: its global heap is damaged`,
    );
  }
  throwIfAborted(options.signal);
  if (!reply.ok) {
    throw new FileFormatError(fileName, `cannot read HDF5: ${reply.error ?? 'unknown error'}`);
  }
  return {
    strings: new Map(Object.entries(reply.strings ?? {})),
    problems: new Map(Object.entries(reply.problems ?? {})),
  };
}

/** The same strings as the worker reads, on this thread. */
async function readHere(path: string, fileName: string): Promise<VeloxStrings> {
  const m = await h5wasm();
  const strings = new Map<string, string>();
  const problems = new Map<string, string>();
  let file: InstanceType<typeof m.File>;
  try {
    file = new m.File(path, 'r');
  } catch (err) {
    throw new FileFormatError(fileName, `cannot read HDF5: ${hdf5Problem(err)}`, { cause: err });
  }
  try {
    const child = (g: Group, name: string): Entity | null =>
      g.keys().includes(name) ? g.get(name) : null;
    const take = (g: Group, name: string, key: string): void => {
      try {
        const d = child(g, name);
        if (!(d instanceof m.Dataset)) return;
        if (d.metadata.type !== H5T_STRING || d.metadata.total_size !== 1) {
          problems.set(key, 'is not one string');
          return;
        }
        const v: unknown = d.value;
        const text = Array.isArray(v) ? (v as unknown[])[0] : v;
        if (typeof text === 'string') strings.set(key, text);
        else problems.set(key, 'is not a string');
      } catch (err) {
        problems.set(key, hdf5Problem(err));
      }
    };
    take(file, 'Version', 'Version');
    const data = child(file, 'Data');
    for (const [kind, leaf] of [
      ['SpectrumStream', 'AcquisitionSettings'],
      ['SpectrumImage', 'SpectrumImageSettings'],
    ] as const) {
      const g = data instanceof m.Group ? child(data, kind) : null;
      if (!(g instanceof m.Group)) continue;
      for (const k of g.keys()) {
        const sub = child(g, k);
        if (sub instanceof m.Group) take(sub, leaf, `Data/${kind}/${k}/${leaf}`);
      }
    }
    const ops = child(file, 'Operations');
    if (ops instanceof m.Group) {
      for (const type of ops.keys()) {
        const g = child(ops, type);
        if (!(g instanceof m.Group)) continue;
        for (const k of g.keys()) take(g, k, `Operations/${type}/${k}`);
      }
    }
  } finally {
    try {
      file.close();
    } catch {
      // read-only
    }
  }
  return { strings, problems };
}
