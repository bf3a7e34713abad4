/** One case of the I/O benchmark (see io-cases/README.md). */
export interface IoCase {
  /** Shown in the table, e.g. 'bruker-bcf'. */
  name: string;
  /** The format, for the per-format summary, e.g. 'Bruker .bcf'. */
  format: string;
  /** The files to time (absolute paths); may generate synthetic files into bench-results/. */
  files(): Promise<string[]>;
  /** Reads one file with our reader; returns the decoded cube's size in bytes. */
  read(path: string): Promise<{ bytes: number }>;
  /** A Python expression loading the file at `path` with HyperSpy (`hs` is hyperspy.api). */
  hyperspy: string;
}

/** Where cases put generated files. */
export const IO_RESULTS = 'bench-results/io';
