/**
 * `node browser-main.js [--port=N] [--renderer=DIR] [--max-upload=SIZE] [FILE...]`:
 * browser mode from the command line. Prints the URL on one line.
 * --max-upload: the largest file the page may upload (default 1GiB), in
 * bytes or with a unit: 500MB, 2GiB, 4G.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserServer } from './browser-server.js';

export async function runBrowserMode(
  argv: readonly string[],
  defaults: { rendererDir: string; appVersion?: string },
): Promise<void> {
  const value = (name: string): string | undefined =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const files = argv.filter((a) => !a.startsWith('--'));
  const port = Number(value('port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: expected a port number, got ${value('port')}`);
  const maxUpload = value('max-upload');
  const server = await startBrowserServer({
    rendererDir: value('renderer') ?? defaults.rendererDir,
    port,
    files,
    ...(maxUpload === undefined ? {} : { maxUploadBytes: parseSize('--max-upload', maxUpload) }),
    backupDir: join(tmpdir(), 'samfire-studio-backups'),
    ...(defaults.appVersion ? { appVersion: defaults.appVersion } : {}),
  });
  console.log(`SAMFire Studio (browser mode): ${server.url}`);
  const stop = (): void => {
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** A size such as 1048576, 500MB, 2GiB or 4G, in bytes (errors name the option). */
export function parseSize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!(Number.isSafeInteger(bytes) && bytes > 0))
    throw new Error(`${option}: expected a size such as 500MB or 2GiB, got '${text}'`);
  return bytes;
}
