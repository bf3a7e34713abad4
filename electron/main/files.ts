/** Files the user handed to the app outside its dialogs: command-line arguments and the OS's open-file events. */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';

/** File associations of the packaged app (build/electron-builder.yml lists the same). */
export const OPENABLE = ['.hspy', '.dm3', '.dm4', '.rpl', '.msa', '.ems', '.npy'];

/** The existing files with an openable extension among command-line arguments (flags and the app's own path skipped). */
export function filesFromArgv(argv: readonly string[], cwd: string): string[] {
  return argv
    .filter((a) => !a.startsWith('-') && OPENABLE.includes(extname(a).toLowerCase()))
    .map((a) => resolve(cwd, a))
    .filter((p) => existsSync(p) && statSync(p).isFile());
}
