/**
 * A test seam for the fault suite (test/reliability): makes chosen atomic
 * writes (writeFileAtomic) pause or fail part-way, so a test can SIGKILL the
 * process at an exact moment of a write, or see what a full disk does without
 * filling one. Inert unless the environment variable below is set; it is not
 * a user setting.
 *
 * SAMFIRE_TEST_WRITE_FAULTS = RULE[;RULE...], RULE = NAME@FRACTION:ACTION
 * - NAME: the written file's base name (`out.hspy`);
 * - FRACTION: 0 to 1, the share of the file's bytes in its temporary file
 *   when the fault hits (1: complete and flushed, not yet renamed);
 * - ACTION: `pause` prints `samfire-test: paused NAME WRITTEN/TOTAL` on
 *   stderr and waits for SIGUSR2 (every matching write pauses); `enospc`
 *   fails the write as a full disk does.
 */
import { stderr } from 'node:process';

export const WRITE_FAULTS_ENV = 'SAMFIRE_TEST_WRITE_FAULTS';

export interface WriteFault {
  /** Bytes written to the temporary file when the fault hits. */
  at: number;
  action: 'pause' | 'enospc';
}

/** The fault armed for a write of `total` bytes to `name` (a base name), if any. */
export function writeFaultFor(name: string, total: number): WriteFault | null {
  const spec = process.env[WRITE_FAULTS_ENV];
  if (!spec) return null;
  for (const rule of spec.split(';')) {
    const m = /^(.+)@([0-9.]+):(pause|enospc)$/.exec(rule.trim());
    if (!m || m[1] !== name) continue;
    const fraction = Math.min(1, Math.max(0, Number(m[2])));
    if (!Number.isFinite(fraction)) continue;
    return { at: Math.round(fraction * total), action: m[3] as WriteFault['action'] };
  }
  return null;
}

/** Pauses (until SIGUSR2) or throws ENOSPC, as the fault says. */
export async function hitWriteFault(
  fault: WriteFault,
  name: string,
  written: number,
  total: number,
): Promise<void> {
  if (fault.action === 'enospc') {
    const err = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
    err.code = 'ENOSPC';
    err.errno = -28;
    err.syscall = 'write';
    throw err;
  }
  await new Promise<void>((resume) => {
    // A timer keeps the process alive while it waits.
    const keepAlive = setInterval(() => undefined, 60_000);
    process.once('SIGUSR2', () => {
      clearInterval(keepAlive);
      resume();
    });
    stderr.write(`samfire-test: paused ${name} ${written}/${total}\n`);
  });
}
