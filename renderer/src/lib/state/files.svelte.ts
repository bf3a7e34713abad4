/**
 * Opening and saving: the example, uploads and drops, the native dialog,
 * recent files, picking one signal of a file with several, saving the
 * project (.hspy) and bytes made by the UI (PNG, CSV, .npy).
 */
import type {
  DatasetSummary,
  FileApi,
  FolderAccessInfo,
  FolderListing,
  OpenProgress,
  OpenResult,
  RecentFile,
} from '@samfire/core/api';
import { errorText } from './notices.svelte.js';
import { completeSave } from '../download.js';
import type { Feedback } from './store-deps.js';

export type SignalChoice = Extract<OpenResult, { kind: 'choose' }>;

/** What the files store needs: the file service, and what it asks or tells the rest of the app. */
export interface FilesDeps extends Feedback {
  file: FileApi;
  /** Before throwing unsaved results away: resolves true when the user agrees (or nothing is unsaved). */
  confirmDiscard(action: string): Promise<boolean>;
  /** Whether there are unsaved results now. */
  unsaved(): boolean;
  /** Whether the shell has native dialogs (false in browser mode: the page's own picker). */
  dialogs(): boolean;
  /** Whether a SAMFire run is going (a project is not saved then). */
  running(): boolean;
  /** Browser mode: opens the page's file picker. */
  pickFile(): void;
  /** A dataset was opened: every view starts again from it. */
  onopened(dataset: DatasetSummary): Promise<void>;
  /** The project was saved: nothing is unsaved any more. */
  onsaved(): void;
}

export class Files {
  dataset = $state.raw<DatasetSummary | null>(null);
  recent = $state.raw<RecentFile[]>([]);
  extensions = $state.raw<string[]>([]);
  /** A file with several signals waits here for the user to pick one. */
  choice = $state.raw<SignalChoice | null>(null);
  /** What is being opened now (for the status bar), or null. */
  opening = $state<string | null>(null);
  /** How far the reader of the file being opened is (null: not known yet, or a reader that does not say). */
  openProgress = $state.raw<OpenProgress | null>(null);
  /** Where the project was last saved. */
  savedTo = $state<string | null>(null);
  /** Browser mode: the folders whose files open by path (a path field and a file browser). */
  folderAccess = $state.raw<FolderAccessInfo>({ available: false, folders: [] });
  /** The file browser: open or not, the folder it shows, and its last refusal. */
  browserOpen = $state(false);
  listing = $state.raw<FolderListing | null>(null);
  browseError = $state<string | null>(null);
  readonly #deps: FilesDeps;
  /** Opens started so far, and the last one the user cancelled. */
  #generation = 0;
  #cancelledUpTo = 0;

  constructor(deps: FilesDeps) {
    this.#deps = deps;
    deps.file.onOpenProgress((p) => {
      // Only while an open is shown: a cancelled read's last events are dropped.
      if (this.opening !== null) this.openProgress = p;
    });
  }

  async init(): Promise<void> {
    const file = this.#deps.file;
    this.extensions = await file.readableExtensions().catch(() => []);
    this.recent = await file.recent().catch(() => []);
    this.folderAccess = await file.folders().catch(() => ({ available: false, folders: [] }));
  }

  /** Opens the file browser on the chosen folders (or on `path`). */
  async openBrowser(path: string | null = null): Promise<void> {
    this.browserOpen = true;
    await this.browse(path);
  }

  closeBrowser(): void {
    this.browserOpen = false;
    this.browseError = null;
  }

  /** Shows a folder in the browser (null: the chosen folders); a refusal shows in the dialog. */
  async browse(path: string | null): Promise<void> {
    try {
      this.listing = await this.#deps.file.browse({ path });
      this.browseError = null;
    } catch (e) {
      this.browseError = errorText(e);
    }
  }

  async addFolder(path: string): Promise<boolean> {
    try {
      this.folderAccess = await this.#deps.file.addFolder({ path: path.trim() });
      this.browseError = null;
      await this.browse(null);
      return true;
    } catch (e) {
      this.browseError = errorText(e);
      return false;
    }
  }

  async removeFolder(path: string): Promise<void> {
    try {
      this.folderAccess = await this.#deps.file.removeFolder({ path });
      await this.browse(null);
    } catch (e) {
      this.browseError = errorText(e);
    }
  }

  /**
   * Opens a file by its path inside a chosen folder (browser mode): no upload;
   * it joins the recent list. A refusal (outside the folders, not readable)
   * shows in the browser.
   */
  async openByPath(path: string): Promise<void> {
    const name = path.split(/[\\/]/).pop() || path;
    let refusal: string | null = null;
    await this.#open(name, async () => {
      try {
        return await this.#deps.file.openByPath({ path: path.trim() });
      } catch (e) {
        refusal = errorText(e);
        return { kind: 'cancelled' };
      }
    });
    this.browseError = refusal;
    if (refusal === null) this.browserOpen = false;
  }

  /** The user already agreed to lose the unsaved results for the file being picked. */
  #discardAgreed = false;

  async #open(
    what: string,
    open: (cancelled: () => boolean) => Promise<OpenResult>,
  ): Promise<void> {
    const s = this.#deps;
    const agreed = this.#discardAgreed;
    this.#discardAgreed = false;
    if (!agreed && !(await s.confirmDiscard('Open another file'))) return;
    const generation = ++this.#generation;
    const cancelled = (): boolean => generation <= this.#cancelledUpTo;
    this.opening = what;
    this.openProgress = null;
    try {
      const result = await s.guard(`Could not open ${what}`, async () => {
        try {
          return await open(cancelled);
        } catch (e) {
          // A file the user gave up on: its errors no longer matter.
          if (cancelled()) return { kind: 'cancelled' } as const;
          throw e;
        }
      });
      // Cancelled, but the host had already opened it: the app follows the host.
      if (cancelled() && result?.kind !== 'opened') return;
      await this.#opened(result);
    } finally {
      if (this.#generation === generation) {
        this.opening = null;
        this.openProgress = null;
      }
    }
  }

  /**
   * Stops waiting for the file being opened: the app goes back to what was
   * open before at once; the host drops the file when it is done reading it.
   */
  cancelOpen(): void {
    const what = this.opening;
    if (what === null) return;
    this.#cancelledUpTo = this.#generation;
    this.opening = null;
    this.openProgress = null;
    void this.#deps.file.cancelOpen().catch(() => undefined);
    this.#deps.notify(
      'info',
      `Stopped opening ${what}`,
      this.dataset ? 'What was open before stays open.' : '',
    );
  }

  async #opened(result: OpenResult | null): Promise<void> {
    if (!result || result.kind === 'cancelled') return;
    if (result.kind === 'choose') {
      this.choice = result;
      return;
    }
    this.choice = null;
    this.savedTo = null;
    await this.#deps.onopened(result.dataset);
    this.recent = await this.#deps.file.recent().catch(() => this.recent);
  }

  openExample(): Promise<void> {
    return this.#open('the example', () => this.#deps.file.openExample());
  }

  openFiles(files: readonly File[]): Promise<void> {
    if (files.length === 0) return Promise.resolve();
    const names = files.map((f) => f.name).join(' + ');
    return this.#open(names, async (cancelled) => {
      const uploads = await Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      // Cancelled while the page read the files: nothing is sent.
      if (cancelled()) return { kind: 'cancelled' };
      return this.#deps.file.openUpload({ files: uploads });
    });
  }

  async openDialog(): Promise<void> {
    const d = this.#deps;
    if (!d.dialogs()) {
      // Browser mode: the page's own file picker (the toolbar's input opens what is picked).
      // Ask about unsaved results before the picker, not after a file was chosen.
      if (!(await d.confirmDiscard('Open another file'))) return;
      this.#discardAgreed = d.unsaved();
      d.pickFile();
      return;
    }
    return this.#open('a file', () => this.#deps.file.openDialog());
  }

  /** The page's file picker was closed without a file: the next open asks again. */
  pickerDismissed(): void {
    this.#discardAgreed = false;
  }

  openRecent(file: RecentFile): Promise<void> {
    return this.#open(file.name, () => this.#deps.file.openRecent({ path: file.path }));
  }

  async choose(index: number): Promise<void> {
    const c = this.choice;
    if (!c) return;
    this.choice = null;
    const title = `Could not open signal ${index + 1} of ${c.fileName}`;
    await this.#opened(
      await this.#deps.guard(title, () => this.#deps.file.chooseSignal({ token: c.token, index })),
    );
  }

  cancelChoice(): void {
    this.choice = null;
  }

  async saveProject(as: boolean): Promise<void> {
    const s = this.#deps;
    if (!this.dataset) {
      s.notify('info', 'Nothing to save', 'Open a file or the example first.');
      return;
    }
    if (s.running()) {
      s.notify('warning', 'SAMFire is running', 'Stop the run before saving the project.');
      return;
    }
    const result = await s.guard('Could not save the project', () => s.file.saveProject({ as }));
    if (!result) return;
    const where = completeSave(result);
    if (where === null) return;
    this.savedTo = where;
    s.onsaved();
    s.notify('success', 'Project saved', where);
    this.recent = await s.file.recent().catch(() => this.recent);
  }

  /** Saves bytes the UI made (a PNG, a CSV); returns where they went. */
  async saveBytes(suggestedName: string, bytes: Uint8Array): Promise<string | null> {
    const s = this.#deps;
    const result = await s.guard(`Could not save ${suggestedName}`, () =>
      s.file.saveBytes({ suggestedName, bytes }),
    );
    const where = result ? completeSave(result) : null;
    if (where) s.notify('success', 'Exported', where);
    return where;
  }
}
