/**
 * `node browser-main.js [--port=N] [--renderer=DIR] [FILE...]`: browser mode
 * from the command line. Prints the URL on one line.
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
  const server = await startBrowserServer({
    rendererDir: value('renderer') ?? defaults.rendererDir,
    port,
    files,
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
