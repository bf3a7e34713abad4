/**
 * Which views are showing (tabs, modes, dialogs), kept in a module so that
 * switching views never loses what the user set up, plus the colour theme:
 * the OS's unless the user picks one.
 */
export type RightTab = 'signal' | 'model' | 'noise' | 'seeds' | 'samfire' | 'results';
export type ThemeChoice = 'system' | 'light' | 'dark';

export interface ConfirmRequest {
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  resolve: (ok: boolean) => void;
}

const media = (): MediaQueryList | null =>
  typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

export class Ui {
  rightTab = $state<RightTab>('model');
  /** Spectrum: a drag sets the signal range (else it pans). */
  rangeMode = $state(false);
  /** Navigator: a drag selects a rectangle of pixels (else a click picks a pixel). */
  selectMode = $state(false);
  helpOpen = $state(false);
  confirmRequest = $state.raw<ConfirmRequest | null>(null);
  theme = $state<ThemeChoice>('system');
  #systemDark = $state(media()?.matches ?? false);
  readonly dark = $derived(this.theme === 'dark' || (this.theme === 'system' && this.#systemDark));

  constructor() {
    media()?.addEventListener('change', (e) => {
      this.#systemDark = e.matches;
    });
  }

  setTheme(theme: ThemeChoice): void {
    this.theme = theme;
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }

  /** Asks a question in a dialog; resolves with the answer. */
  confirm(title: string, text: string, confirm = 'Continue', cancel = 'Cancel'): Promise<boolean> {
    this.confirmRequest?.resolve(false);
    return new Promise((resolve) => {
      this.confirmRequest = {
        title,
        text,
        confirm,
        cancel,
        resolve: (ok) => {
          this.confirmRequest = null;
          resolve(ok);
        },
      };
    });
  }
}
