/**
 * The globals pure core modules may use: the host-neutral ones that WHATWG
 * and HTML define and that Node 20+, browsers and Electron's processes all
 * provide. core/tsconfig.pure.json compiles the pure modules with these and
 * ES2022 only, so Node's globals (`Buffer`, `process`, `require`, ...) and
 * the DOM's (`document`, `window`) are compile errors there. Only the members
 * core uses are declared; Node's (@types/node) or the DOM's (lib.dom)
 * declarations replace this file everywhere else, so it is in no other
 * program (core/tsconfig.json excludes it).
 */

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
}

declare function structuredClone<T>(value: T): T;

/** Opaque: a number in browsers, a Timeout object in Node. */
interface TimerHandle {
  readonly __timerHandle: unique symbol;
}

declare function setTimeout(handler: () => void, timeout?: number): TimerHandle;
declare function clearTimeout(handle: TimerHandle | undefined): void;

/** The Compression Streams API's inflater (Node 18+, browsers), as the Bruker reader uses it. */
declare class DecompressionStream {
  constructor(format: 'deflate' | 'deflate-raw' | 'gzip');
  readonly writable: {
    getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> };
  };
  readonly readable: {
    getReader(): {
      read(): Promise<{ value?: Uint8Array; done: boolean }>;
      cancel(): Promise<void>;
    };
  };
}

declare function queueMicrotask(callback: () => void): void;
