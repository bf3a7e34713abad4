/**
 * `node browser-main.js [--port=N] [--renderer=DIR] [--folder PATH]...
 * [--settings=FILE] [--max-upload=SIZE] [FILE...]`: browser mode from the
 * command line. Prints the URL on one line. `--folder` (repeatable;
 * `--folder=PATH` too) opens a folder to the page's path field and file
 * browser; the folders chosen and the recent files are remembered in the
 * settings file (by default `$XDG_CONFIG_HOME/samfire-studio/browser-settings.json`,
 * else under `~/.config`; `--settings=` with nothing after it keeps nothing).
 * `--max-upload`: the largest file the page may upload (default 1GiB), in
 * bytes or with a unit: 500MB, 2GiB, 4G.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserServer } from './browser-server.js';

export interface BrowserArgs {
  port: number;
  renderer: string | undefined;
  folders: string[];
  settingsFile: string | null;
  /** `--max-upload`: the largest upload in bytes (undefined: the server's default). */
  maxUploadBytes: number | undefined;
  files: string[];
}

export function defaultSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'samfire-studio', 'browser-settings.json');
}

/** Parses the command line; unknown options are refused with their name. */
export function parseBrowserArgs(argv: readonly string[], env = process.env): BrowserArgs {
  const out: BrowserArgs = {
    port: 0,
    renderer: undefined,
    folders: [],
    settingsFile: defaultSettingsFile(env),
    maxUploadBytes: undefined,
    files: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      out.files.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const takeValue = (): string => {
      if (eq >= 0) return a.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new Error(`--${name}: expected a value after it`);
      i++;
      return next;
    };
    switch (name) {
      case 'port': {
        const v = takeValue();
        const port = Number(v);
        if (!/^\d+$/.test(v) || !Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port: expected a port number, got ${v}`);
        out.port = port;
        break;
      }
      case 'renderer':
        out.renderer = takeValue();
        break;
      case 'folder':
        out.folders.push(takeValue());
        break;
      case 'settings': {
        const v = eq >= 0 ? a.slice(eq + 1) : takeValue();
        out.settingsFile = v === '' ? null : v;
        break;
      }
      case 'max-upload':
        out.maxUploadBytes = parseSize('--max-upload', takeValue());
        break;
      default:
        throw new Error(
          `unknown option --${name} (browser mode takes --port, --renderer, --folder, --settings, --max-upload)`,
        );
    }
  }
  return out;
}

export async function runBrowserMode(
  argv: readonly string[],
  defaults: { rendererDir: string; appVersion?: string },
): Promise<void> {
  const args = parseBrowserArgs(argv);
  const server = await startBrowserServer({
    rendererDir: args.renderer ?? defaults.rendererDir,
    port: args.port,
    files: args.files,
    folders: args.folders,
    settingsFile: args.settingsFile,
    ...(args.maxUploadBytes === undefined ? {} : { maxUploadBytes: args.maxUploadBytes }),
    backupDir: join(tmpdir(), 'samfire-studio-backups'),
    ...(defaults.appVersion ? { appVersion: defaults.appVersion } : {}),
  });
  console.log(`SAMFire Studio (browser mode): ${server.url}`);
  if (args.folders.length > 0)
    console.log(`Files can be opened by path in: ${args.folders.join(', ')}`);
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
