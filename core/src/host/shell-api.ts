/**
 * SamfireApi as a shell serves it: the host's services, plus what only the
 * shell can do (dialogs, the recent list, the menu, host health). Electron
 * main and the browser server both build it here, so the two shells differ
 * only in their ShellPort.
 */
import type { HostApi } from '../api/host-api.js';
import type { Listener, SamfireApi, Unsubscribe } from '../api/samfire-api.js';
import type {
  AppCommand,
  FolderAccessInfo,
  FolderListing,
  HostStatus,
  OpenResult,
  RecentFile,
  ShellInfo,
} from '../api/types.js';

/** Opening by path inside folders the user chose (browser mode: node/folder-access.ts). */
export interface FolderPort {
  readonly folders: string[];
  add(path: string): Promise<string[]>;
  remove(path: string): Promise<string[]>;
  list(path: string | null): Promise<FolderListing>;
  /** The real path of a readable file inside a chosen folder, or an error naming the rule. */
  file(path: string): Promise<string>;
}

export interface ShellPort {
  info: ShellInfo;
  /** An open dialog (with a title, or the shell's default); null when dismissed. Absent: the shell has none (browser mode). */
  showOpenDialog?: (extensions: readonly string[], title?: string) => Promise<string | null>;
  /** A save dialog; null when dismissed. */
  showSaveDialog?: (suggestedName: string) => Promise<string | null>;
  /** Without a save dialog (browser mode): the project's bytes, for the page to download. */
  projectBytes?: (suggestedName: string) => Promise<Uint8Array>;
  /** Absent: no opening by path (the desktop app has its dialogs). */
  folders?: FolderPort;
  recent: {
    list(): RecentFile[];
    add(path: string): void;
    has(path: string): boolean;
  };
  onCommand(cb: Listener<AppCommand>): Unsubscribe;
  onHostStatus(cb: Listener<HostStatus>): Unsubscribe;
  /** Files handed to the shell for the UI to open once it has asked about unsaved results (absent: never). */
  onOpenRequest?(cb: Listener<RecentFile>): Unsubscribe;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function createShellApi(host: HostApi, shell: ShellPort): SamfireApi {
  // The path call is the host's alone: the UI loads a variance through the dialog or an upload.
  const { loadVariancePath, ...hostModel } = host.model;
  const openPath = async (path: string): Promise<OpenResult> => {
    const result = await host.file.openPath({ path });
    if (result.kind !== 'cancelled') shell.recent.add(path);
    return result;
  };
  const folderInfo = (): FolderAccessInfo =>
    shell.folders
      ? { available: true, folders: shell.folders.folders }
      : { available: false, folders: [] };
  const requireFolders = (): FolderPort => {
    if (!shell.folders)
      throw new Error('opening by path is for browser mode: use File > Open in the desktop app');
    return shell.folders;
  };
  const saveAs = async (suggestedName: string): Promise<string | null> => {
    if (!shell.showSaveDialog) return null;
    return shell.showSaveDialog(suggestedName);
  };
  return {
    app: {
      info: async () => shell.info,
      onCommand: shell.onCommand,
      onHostStatus: shell.onHostStatus,
      onOpenRequest: shell.onOpenRequest ?? (() => () => undefined),
    },
    file: {
      openDialog: async () => {
        if (!shell.showOpenDialog)
          throw new Error(
            'there is no file dialog in browser mode: drop a file on the page or use Upload',
          );
        const path = await shell.showOpenDialog(await host.file.readableExtensions());
        return path === null ? { kind: 'cancelled' } : openPath(path);
      },
      openRecent: async ({ path }) => {
        // Only paths the user chose before: the renderer cannot name arbitrary files.
        if (!shell.recent.has(path))
          throw new Error(`'${baseName(path)}' is not in the recent files list`);
        return openPath(path);
      },
      openUpload: (r) => host.file.openUpload(r),
      openExample: () => host.file.openExample(),
      cancelOpen: () => host.file.cancelOpen(),
      chooseSignal: (r) => host.file.chooseSignal(r),
      recent: async () => shell.recent.list(),
      folders: async () => folderInfo(),
      addFolder: async ({ path }) => {
        await requireFolders().add(path);
        return folderInfo();
      },
      removeFolder: async ({ path }) => {
        await requireFolders().remove(path);
        return folderInfo();
      },
      browse: ({ path }) => requireFolders().list(path),
      openByPath: async ({ path }) => openPath(await requireFolders().file(path)),
      saveBytes: async ({ suggestedName, bytes }) => {
        if (!shell.showSaveDialog) return { kind: 'download', name: suggestedName, bytes };
        const path = await saveAs(suggestedName);
        if (path === null) return { kind: 'cancelled' };
        await host.file.writeBytes({ path, bytes });
        return { kind: 'saved', path };
      },
      saveProject: async ({ as }) => {
        const summary = await host.dataset.summary();
        if (!summary) throw new Error('no dataset is open: there is nothing to save');
        const name = `${summary.title.replace(/[^A-Za-z0-9._-]+/g, '_') || 'project'}.hspy`;
        if (!shell.showSaveDialog && shell.projectBytes)
          return { kind: 'download', name, bytes: await shell.projectBytes(name) };
        let path = as ? null : await host.file.projectPath();
        if (path === null) {
          if (!shell.showSaveDialog)
            throw new Error(
              'saving a project needs the desktop app (there is no save dialog in browser mode)',
            );
          path = await saveAs(name);
          if (path === null) return { kind: 'cancelled' };
        }
        await host.file.saveProjectTo({ path });
        shell.recent.add(path);
        return { kind: 'saved', path };
      },
      readableExtensions: () => host.file.readableExtensions(),
      lastSession: () => host.file.lastSession(),
      resumeSession: () => host.file.resumeSession(),
      discardSession: () => host.file.discardSession(),
      onOpenProgress: host.file.onOpenProgress,
    },
    dataset: host.dataset,
    model: {
      ...hostModel,
      loadVarianceDialog: async () => {
        if (!shell.showOpenDialog)
          throw new Error(
            'there is no file dialog in browser mode: upload the variance file instead',
          );
        const path = await shell.showOpenDialog(
          await host.file.readableExtensions(),
          'Load a noise variance',
        );
        if (path === null) return { kind: 'cancelled' };
        return { kind: 'loaded', model: await loadVariancePath({ path }) };
      },
    },
    fit: host.fit,
  };
}

/** An in-memory recent list, newest first, bounded. */
export class RecentList {
  #paths: string[];
  readonly #limit: number;
  readonly #onChange: (paths: readonly string[]) => void;

  constructor(
    paths: readonly string[] = [],
    limit = 10,
    onChange: (paths: readonly string[]) => void = () => undefined,
  ) {
    this.#paths = paths.filter((p) => typeof p === 'string').slice(0, limit);
    this.#limit = limit;
    this.#onChange = onChange;
  }

  list = (): RecentFile[] => this.#paths.map((path) => ({ path, name: baseName(path) }));
  has = (path: string): boolean => this.#paths.includes(path);
  add = (path: string): void => {
    this.#paths = [path, ...this.#paths.filter((p) => p !== path)].slice(0, this.#limit);
    this.#onChange(this.#paths);
  };
}
