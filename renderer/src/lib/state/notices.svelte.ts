/**
 * Messages for people: errors that say what failed (the file, the parameter)
 * and what to do, warnings, and short confirmations. Errors stay until
 * dismissed (each has a close button); the rest fade after a few seconds. At
 * most MAX are shown (the oldest go first), and opening another file clears
 * them: they were about the file before. Nothing goes only to the console.
 */
export type NoticeKind = 'error' | 'warning' | 'info' | 'success';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  text: string;
}

export function errorText(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  // Guards prefix the method ("model.setParameter.value: ..."): people need only the message.
  return raw.replace(/^(file|dataset|model|fit|app)\.[A-Za-z.]+: /, '');
}

/** Notices shown at once. */
export const MAX_NOTICES = 3;
/** How long each kind stays, in ms (0: until closed). */
export const FADE: Record<NoticeKind, number> = {
  error: 0,
  warning: 8000,
  info: 4000,
  success: 3000,
};

export class Notices {
  items = $state.raw<Notice[]>([]);
  #next = 1;
  // Bookkeeping only, never shown: deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(kind: NoticeKind, title: string, text = '', fadeMs = FADE[kind]): number {
    const id = this.#next++;
    // The same message again replaces the old one instead of piling up.
    const same = this.items.find((n) => n.title === title && n.text === text);
    if (same) this.dismiss(same.id);
    const items = [...this.items, { id, kind, title, text }];
    // Past the limit the oldest that is not an error goes (with its timer); errors stay until
    // closed, so only a fourth error pushes out the oldest one.
    while (items.length > MAX_NOTICES) {
      const i = items.findIndex((n) => n.kind !== 'error');
      const [gone] = items.splice(Math.max(0, i), 1);
      this.#clearTimer(gone!.id);
    }
    this.items = items;
    if (fadeMs > 0)
      this.#timers.set(
        id,
        setTimeout(() => this.dismiss(id), fadeMs),
      );
    return id;
  }

  /** An error from an action: `title` says what failed ("Could not open x.dm3"). */
  error(title: string, e: unknown): number {
    return this.push('error', title, errorText(e));
  }

  dismiss(id: number): void {
    this.#clearTimer(id);
    this.items = this.items.filter((n) => n.id !== id);
  }

  clearErrors(): void {
    for (const n of this.items) if (n.kind === 'error') this.dismiss(n.id);
  }

  /** Forgets every notice (another file was opened). */
  clear(): void {
    for (const id of this.#timers.keys()) this.#clearTimer(id);
    this.items = [];
  }

  #clearTimer(id: number): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
    this.#timers.delete(id);
  }
}
