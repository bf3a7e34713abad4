/**
 * The fault and attack suite's figures: per part, how many cases were tried
 * and how each ended (a clean error or outcome, a crash, a hang, data lost, or
 * something else: see Outcome). Each part prints its
 * table when done and merges it into test-results/reliability.json.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `other`: not clean for another reason: accepted when it should have been
 * refused, refused without saying why, or litter left behind.
 */
export type Outcome = 'clean' | 'crash' | 'hang' | 'dataLost' | 'other';

export interface CaseRecord {
  name: string;
  outcome: Outcome;
  detail: string;
}

export interface PartFigures {
  tried: number;
  clean: number;
  crash: number;
  hang: number;
  dataLost: number;
  other: number;
  /** Part-specific measurements (pixels lost, peak memory, ...). */
  measures: Record<string, number>;
  cases: CaseRecord[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'test-results');
const JSON_PATH = join(RESULTS_DIR, 'reliability.json');

export class Figures {
  readonly part: string;
  readonly cases: CaseRecord[] = [];
  readonly measures: Record<string, number> = {};

  constructor(part: string) {
    this.part = part;
  }

  record(name: string, outcome: Outcome, detail = ''): void {
    this.cases.push({ name, outcome, detail });
  }

  measure(name: string, value: number): void {
    this.measures[name] = value;
  }

  count(outcome: Outcome): number {
    return this.cases.filter((c) => c.outcome === outcome).length;
  }

  /** The cases that did not end cleanly, one line each (for assertion messages). */
  failures(): string[] {
    return this.cases
      .filter((c) => c.outcome !== 'clean')
      .map((c) => `${c.name}: ${c.outcome}${c.detail ? ` (${c.detail})` : ''}`);
  }

  figures(): PartFigures {
    return {
      tried: this.cases.length,
      clean: this.count('clean'),
      crash: this.count('crash'),
      hang: this.count('hang'),
      dataLost: this.count('dataLost'),
      other: this.count('other'),
      measures: { ...this.measures },
      cases: [...this.cases],
    };
  }

  table(): string {
    const f = this.figures();
    const head = ['tried', 'clean error', 'crash', 'hang', 'data lost', 'other'];
    const row = [f.tried, f.clean, f.crash, f.hang, f.dataLost, f.other].map(String);
    const widths = head.map((h, i) => Math.max(h.length, row[i]!.length));
    const line = (cells: string[]): string =>
      `  ${cells.map((c, i) => c.padStart(widths[i]!)).join('  ')}`;
    const lines = [`reliability | ${this.part}`, line(head), line(row)];
    for (const [k, v] of Object.entries(f.measures)) lines.push(`  ${k}: ${v}`);
    const bad = this.failures();
    if (bad.length > 0) lines.push('  not clean:', ...bad.map((b) => `    - ${b}`));
    return lines.join('\n');
  }

  /** Prints the table and merges this part into test-results/reliability.json. */
  report(): void {
    console.log(this.table());
    mkdirSync(RESULTS_DIR, { recursive: true });
    withLock(() => {
      let all: { parts: Record<string, PartFigures> } = { parts: {} };
      try {
        all = JSON.parse(readFileSync(JSON_PATH, 'utf8')) as typeof all;
        all.parts ??= {};
      } catch {
        // first part written, or an unreadable file: start again
      }
      all.parts[this.part] = this.figures();
      const temp = `${JSON_PATH}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(all, null, 1)}\n`);
      renameSync(temp, JSON_PATH);
    });
  }
}

/** Runs `fn` holding a directory lock, so parts finishing together in parallel forks do not drop each other. */
function withLock(fn: () => void): void {
  const lock = join(RESULTS_DIR, '.reliability.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) {
        // A lock left by a killed run: take it over.
        rmdirSync(lock);
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    fn();
  } finally {
    rmdirSync(lock);
  }
}
