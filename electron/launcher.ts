/**
 * `npm start`: runs the built app in Electron, or, when the Electron binary
 * is missing (an offline install with ELECTRON_SKIP_BINARY_DOWNLOAD=1), says
 * so in one line and starts browser mode, printing its URL.
 *
 * It looks for the binary itself: `require('electron')` would try to
 * download it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBrowserMode } from '@samfire/core/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable, or null when it was never downloaded. */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  let pkg: string;
  try {
    pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const binary = join(dist, relative);
  return existsSync(binary) ? binary : null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const binary = electronBinary();
  if (binary && !args.includes('--browser')) {
    const child = spawn(binary, [join(root, 'out/main/main.js'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  if (!binary)
    console.log(
      'The Electron binary is not installed (offline install): starting browser mode instead.',
    );
  const version = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }
  ).version;
  await runBrowserMode(
    args.filter((a) => a !== '--browser'),
    { rendererDir: join(root, 'out/renderer'), ...(version ? { appVersion: version } : {}) },
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
