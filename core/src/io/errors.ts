/**
 * Errors raised by the file readers. Every problem found in a file becomes a
 * FileFormatError that names the file, so the UI can show one clear line
 * ("3D_test-1.dm3: truncated tag group at byte 1234") whatever went wrong.
 */
import { Signal, type SignalOptions } from '../model/signal.js';

export class FileFormatError extends Error {
  readonly fileName: string;
  /** The problem without the file name, for callers that print their own prefix. */
  readonly problem: string;

  constructor(fileName: string, problem: string, options?: { cause?: unknown }) {
    super(`${fileName}: ${problem}`, options);
    this.name = 'FileFormatError';
    this.fileName = fileName;
    this.problem = problem;
  }
}

/**
 * Builds a Signal from parsed file contents. The Signal constructor checks
 * axes and sizes with plain Errors; here they become FileFormatErrors, since a
 * zero-sized axis or a NaN calibration is a problem of the file.
 */
export function signalFromFile(fileName: string, options: SignalOptions): Signal {
  try {
    return new Signal(options);
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new FileFormatError(fileName, message, { cause: err });
  }
}

/** Signal types whose spectra hold counts per channel (HyperSpy's binned signals). */
export function isBinnedSignalType(signalType: string): boolean {
  return signalType === 'EELS' || signalType.startsWith('EDS');
}
