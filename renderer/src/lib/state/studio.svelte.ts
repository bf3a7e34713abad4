/**
 * The workbench as one object: the API, the stores of each part (files,
 * navigator and spectrum, model, run, results), notices and view state.
 * Every action goes through `guard`, which turns a failure into a notice
 * naming what failed; the app keeps working.
 */
import type { SamfireApi } from '../api.js';
import type { DatasetSummary, HostStatus, ShellInfo } from '@samfire/core/api';
import { goodnessCondition } from '@samfire/core/api';
import type { Action } from '../logic/shortcuts.js';
import { EdsStore } from './eds.svelte.js';
import { EelsStore } from './eels.svelte.js';
import { Files } from './files.svelte.js';
import { FitRun } from './fit-run.svelte.js';
import { ModelStore } from './model.svelte.js';
import { NavigatorView } from './navigator.svelte.js';
import { Notices } from './notices.svelte.js';
import { ProcessingStore } from './processing.svelte.js';
import { Results } from './results.svelte.js';
import type { Feedback } from './store-deps.js';
import { Ui } from './ui.svelte.js';

export class Studio {
  readonly api: SamfireApi;
  readonly notices = new Notices();
  readonly ui = new Ui();
  readonly files: Files;
  readonly view: NavigatorView;
  readonly model: ModelStore;
  readonly eds: EdsStore;
  readonly eels: EelsStore;
  readonly processing: ProcessingStore;
  readonly run: FitRun;
  readonly results: Results;
  shell = $state.raw<ShellInfo | null>(null);
  /** Fits or edits not saved in a project yet (closing or opening asks first). */
  unsaved = $state(false);
  /** Actions in flight (the status bar shows a busy sign). */
  busy = $state(0);

  constructor(api: SamfireApi) {
    this.api = api;
    const feedback: Feedback = {
      notify: (kind, title, text, fadeMs) => this.notices.push(kind, title, text, fadeMs),
      guard: (title, action) => this.guard(title, action),
    };
    this.files = new Files({
      ...feedback,
      file: api.file,
      confirmDiscard: (action) => this.confirmDiscard(action),
      unsaved: () => this.unsaved,
      dialogs: () => this.shell?.dialogs !== false,
      running: () => this.run.running,
      pickFile: () => document.getElementById('file-input')?.click(),
      onopened: (dataset) => this.afterOpen(dataset),
      onsaved: () => {
        this.unsaved = false;
      },
    });
    this.view = new NavigatorView({
      guard: feedback.guard,
      dataset: api.dataset,
      current: () => this.files.dataset,
      setPixel: (pixel) => api.model.setPixel({ pixel }),
      onpixelstate: (state) => {
        this.model.state = state;
      },
      refreshModel: () => this.model.refreshState(),
    });
    this.model = new ModelStore({
      ...feedback,
      model: api.model,
      pixel: () => this.view.pixel,
      visibleRange: () => this.view.visibleRange(),
      running: () => this.run.running,
      onedited: async () => {
        this.unsaved = true;
        await this.refreshViews();
      },
    });
    this.eds = new EdsStore({
      notify: feedback.notify,
      model: api.model,
      modelState: () => this.model.state,
      runEdit: (what, edit) => this.model.runEdit(what, edit),
      region: () => this.view.region,
    });
    this.eels = new EelsStore({
      notify: feedback.notify,
      model: api.model,
      runEdit: (what, edit) => this.model.runEdit(what, edit),
    });
    this.processing = new ProcessingStore({
      ...feedback,
      dataset: api.dataset,
      current: () => this.files.dataset,
      running: () => this.run.running,
      showPixel: (pixel) => this.view.select(pixel),
      onprocessed: (dataset) => this.afterProcessed(dataset),
    });
    this.run = new FitRun({
      ...feedback,
      fit: api.fit,
      dataset: api.dataset,
      current: () => this.files.dataset,
      pixel: () => this.view.pixel,
      position: () => this.view.spectrum?.position,
      region: () => this.view.region,
      setPixel: (pixel) => {
        this.view.pixel = pixel;
      },
      commitDrafts: () => this.model.commitAll(),
      showModel: () => {
        this.ui.rightTab = 'model';
      },
      onresults: () => {
        this.unsaved = true;
      },
      onlive: () => {
        this.view.live();
        this.results.live();
      },
      refreshViews: () => this.refreshViews(),
      reloadModel: () => this.model.load(),
    });
    this.results = new Results({
      ...feedback,
      dataset: api.dataset,
      fit: api.fit,
      current: () => this.files.dataset,
      visible: () => this.ui.rightTab === 'results',
      run: this.run,
      saveBytes: (name, bytes) => this.files.saveBytes(name, bytes),
      onrefitted: async () => {
        this.unsaved = true;
        await this.refreshViews();
      },
    });
    api.dataset.onChanged((d) => {
      this.files.dataset = d;
    });
    api.app.onHostStatus((s) => this.#hostStatus(s));
    api.app.onCommand((c) => void this.command(c));
    // A file the shell was handed (Electron's Open Recent menu, the OS): asked about first.
    api.app.onOpenRequest((f) => void this.files.openRecent(f));
  }

  get dataset(): DatasetSummary | null {
    return this.files.dataset;
  }

  /** Loads what the host already has (a file given on the command line, a restored session). */
  async init(): Promise<void> {
    this.shell = await this.api.app.info().catch(() => null);
    await this.files.init();
    const dataset = await this.api.dataset.summary().catch(() => null);
    if (dataset) await this.afterOpen(dataset, false);
    else await this.#offerResume();
  }

  /** A run backup left by a crash or power cut: offer to go on from it. */
  async #offerResume(): Promise<void> {
    const backup = await this.api.file.lastSession().catch(() => null);
    if (!backup) return;
    const resume = await this.ui.confirm(
      'Resume the last run?',
      `SAMFire Studio did not close normally during a run on ${backup.name}. Its backup holds ${backup.results} results for ${backup.pixels} pixels: reopen the data and carry on from there?`,
      'Reopen and resume',
      'Discard the backup',
    );
    if (!resume) {
      await this.guard('Could not discard the backup', () => this.api.file.discardSession());
      return;
    }
    const result = await this.guard(`Could not resume the run on ${backup.name}`, () =>
      this.api.file.resumeSession(),
    );
    if (result?.kind === 'opened') {
      await this.afterOpen(result.dataset, false);
      this.unsaved = true;
      this.ui.rightTab = 'samfire';
      this.notices.push(
        'success',
        `Restored ${backup.name}`,
        'Press Resume to carry on with the run.',
        15_000,
      );
    }
  }

  /** Runs an action; a failure becomes an error notice titled `title`. Resolves null then. */
  async guard<T>(title: string, action: () => Promise<T>): Promise<T | null> {
    this.busy++;
    try {
      return await action();
    } catch (e) {
      this.notices.error(title, e);
      return null;
    } finally {
      this.busy--;
    }
  }

  /** Before throwing results away: asks when there are unsaved ones. */
  async confirmDiscard(action: string): Promise<boolean> {
    if (!this.unsaved) return true;
    return this.ui.confirm(
      'Unsaved results',
      `The fits and model edits of ${this.files.dataset?.title || 'this dataset'} are not saved in a project. ${action} anyway and lose them?`,
      `${action} without saving`,
      'Cancel',
    );
  }

  /**
   * A dataset was opened: every view starts again from it. A file the user opened (`announce`)
   * starts on the default tab; a session restored after a crash keeps the tab in use.
   */
  async afterOpen(dataset: DatasetSummary, announce = true): Promise<void> {
    this.files.dataset = dataset;
    this.unsaved = false;
    if (announce) this.ui.rightTab = 'model';
    // Notices were about the file before.
    this.notices.clear();
    this.view.reset();
    this.results.reset();
    this.processing.reset();
    await Promise.all([this.model.load(), this.run.load(), this.eds.load(), this.eels.load()]);
    await this.view.refresh();
    if (announce) this.notices.push('success', `Opened ${dataset.source.name}`, '', 3000);
    const g = this.run.settings?.goodness;
    if (dataset.settingsFrom === 'project' && g)
      this.notices.push(
        'info',
        'SAMFire settings restored from the project',
        `Goodness test ${goodnessCondition(g)}; ${this.run.seeds.length} seed pixel(s). See the SAMFire tab.`,
        10_000,
      );
    if (dataset.settingsProblem)
      this.notices.push(
        'warning',
        'The project’s SAMFire settings could not be used',
        `${dataset.settingsProblem}. The defaults are used instead: check the SAMFire tab.`,
        0,
      );
    if (dataset.looksNormalised)
      this.notices.push(
        'warning',
        'These data look normalised',
        'Reduced χ² with a Poisson variance will mislead: set a constant variance in the Noise tab.',
        12_000,
      );
  }

  /**
   * The signal was processed (converted to energy, spikes removed) or a step
   * reverted: the same dataset, new data. The current pixel and the tab stay;
   * the model, run settings and builders are read again, the views redrawn.
   */
  async afterProcessed(dataset: DatasetSummary): Promise<void> {
    this.files.dataset = dataset;
    this.unsaved = true;
    this.view.restart();
    this.results.reset();
    await Promise.all([this.model.load(), this.run.load(), this.eds.load(), this.eels.load()]);
    await this.view.refresh();
  }

  /** The model or the maps changed: redraw what shows them. */
  async refreshViews(): Promise<void> {
    await Promise.all([this.view.refresh(), this.results.refresh()]);
  }

  /** Menu commands and shortcuts. */
  async command(action: Action): Promise<void> {
    switch (action) {
      case 'open':
        return this.files.openDialog();
      case 'open-example':
        return this.files.openExample();
      case 'save-project':
        return this.files.saveProject(false);
      case 'save-project-as':
        return this.files.saveProject(true);
      case 'export-maps':
        this.ui.rightTab = 'results';
        return;
      case 'undo':
        return this.model.undo();
      case 'redo':
        return this.model.redo();
      case 'fit-pixel':
        return this.run.fitPixel();
      case 'start':
        return this.run.startOrResume();
      case 'stop':
        return this.run.stop();
      case 'toggle-seed':
        return this.run.toggleSeed();
      case 'range-mode':
        this.ui.rangeMode = !this.ui.rangeMode;
        return;
      case 'help':
        this.ui.helpOpen = !this.ui.helpOpen;
        return;
    }
  }

  #hostStatus(s: HostStatus): void {
    if (s.state === 'crashed')
      this.notices.push(
        'error',
        'The fitting service stopped',
        `${s.message} It is being restarted.`,
      );
    else if (s.state === 'restarted') {
      this.notices.push(
        s.restored ? 'success' : 'warning',
        'The fitting service restarted',
        s.restored ? `${s.message} Press Resume to continue the run.` : s.message,
        0,
      );
      void this.init();
    }
  }
}
