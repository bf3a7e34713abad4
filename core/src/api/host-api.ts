/**
 * What the service host (the utility or child process that parses files and
 * fits) implements. It is SamfireApi without the parts only a shell can do
 * (dialogs, the recent list, the menu) and with the few calls a shell makes
 * once the user has chosen a path in one of its dialogs. The renderer never
 * reaches these: main and the browser server call them.
 */
import type { DatasetApi, FileApi, FitApi, ModelApi } from './samfire-api.js';
import type { ModelState, OpenResult } from './types.js';

export interface HostFileApi extends Pick<
  FileApi,
  | 'openUpload'
  | 'openExample'
  | 'cancelOpen'
  | 'chooseSignal'
  | 'readableExtensions'
  | 'onOpenProgress'
> {
  /** A path the user chose in a dialog, or passed on the command line or by the OS. */
  openPath(request: { path: string }): Promise<OpenResult>;
  /** Writes bytes to a path the user chose in a save dialog (atomically). */
  writeBytes(request: { path: string; bytes: Uint8Array }): Promise<void>;
  /** Saves the project (.hspy) to a path the user chose. */
  saveProjectTo(request: { path: string }): Promise<void>;
  /** The path of the open dataset's project, when it was opened from or saved to one. */
  projectPath(): Promise<string | null>;
}

/** Resuming an earlier session's run backup (offered by the UI on start). */
export type HostSessionApi = Pick<FileApi, 'lastSession' | 'resumeSession' | 'discardSession'>;

/** The model service without the dialog (the shell shows it, then calls loadVariancePath). */
export interface HostModelApi extends Omit<ModelApi, 'loadVarianceDialog'> {
  /** Loads the noise variance from a file the user chose in a dialog (see ModelApi.loadVarianceDialog). */
  loadVariancePath(request: { path: string }): Promise<ModelState>;
}

export interface HostApi {
  file: HostFileApi & HostSessionApi;
  dataset: DatasetApi;
  model: HostModelApi;
  fit: FitApi;
}

export type HostServiceName = keyof HostApi;
