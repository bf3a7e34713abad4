/**
 * Child processes for the fault suite: the `samfire` command line run from
 * its TypeScript sources (as test/core/cli does), with every stderr line kept
 * and waitable, so a test can act at a precise moment (a progress count, a
 * write paused by the SAMFIRE_TEST_WRITE_FAULTS seam) and then SIGKILL it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TYPESCRIPT_EXEC_ARGV } from '@samfire/core/node';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'core/src/cli/samfire.ts');
/** Node flags to run TypeScript sources, with h5wasm loaded past tsx (see plain-h5wasm.mjs). */
export const TSX = [
  ...TYPESCRIPT_EXEC_ARGV,
  '--import',
  join(ROOT, 'test/reliability/plain-h5wasm.mjs'),
];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliChild {
  process: ChildProcess;
  /** stderr, line by line, as it arrives. */
  lines: string[];
  stdout(): string;
  exited: Promise<Exit>;
  /** Whether it has exited. */
  done(): boolean;
  /** The first line (from the start) matching, or null if the process exits or `timeoutMs` passes first. */
  waitLine(match: (line: string) => boolean, timeoutMs: number): Promise<string | null>;
  /** SIGKILL, and the exit. */
  kill(): Promise<Exit>;
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliChild {
  const child = spawn(process.execPath, [...TSX, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let finished = false;
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let the last stderr lines arrive before saying it is over.
      setTimeout(() => {
        finished = true;
        for (const w of [...waiters]) w();
        resolve({ code, signal });
      }, 20);
    });
  });
  const waitLine = (match: (line: string) => boolean, timeoutMs: number): Promise<string | null> =>
    new Promise((resolve) => {
      let seen = 0;
      const check = (): void => {
        for (; seen < lines.length; seen++) {
          if (match(lines[seen]!)) return finish(lines[seen]!);
        }
        if (finished) finish(null);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (v: string | null): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(v);
      };
      waiters.add(check);
      check();
    });
  return {
    process: child,
    lines,
    stdout: () => out,
    exited,
    done: () => finished,
    waitLine,
    kill: async () => {
      if (!finished) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** SHA-256 of a file, or null when there is none. */
export function sha256(path: string): string | null {
  if (!existsSync(path)) return null;
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** "[###...] 120/2304 done, ..." gives 120. */
export function progressDone(line: string): number | null {
  const m = /\] (\d+)\/\d+ done/.exec(line);
  return m ? Number(m[1]) : null;
}
