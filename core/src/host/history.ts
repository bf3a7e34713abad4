/**
 * Undo and redo of model edits: each edit records the model's whole state
 * before it (maps included, as the engine's backups do), with a label for
 * the menu ("Undo add component g"). Bounded, oldest dropped first.
 */
import type { ModelSnapshot as SavedModel } from '../samfire/model-state.js';

export interface HistoryEntry {
  label: string;
  model: SavedModel;
  optional: string[];
}

export class History {
  readonly #undo: HistoryEntry[] = [];
  readonly #redo: HistoryEntry[] = [];
  readonly #limit: number;

  constructor(limit = 50) {
    this.#limit = limit;
  }

  /** Records the state before an edit; a new edit forgets what could be redone. */
  push(entry: HistoryEntry): void {
    this.#undo.push(entry);
    if (this.#undo.length > this.#limit) this.#undo.shift();
    this.#redo.length = 0;
  }

  /** Takes the state to go back to, giving the present state (labelled like the edit) to redo. */
  undo(present: Omit<HistoryEntry, 'label'>): HistoryEntry | null {
    const entry = this.#undo.pop();
    if (!entry) return null;
    this.#redo.push({ ...present, label: entry.label });
    return entry;
  }

  redo(present: Omit<HistoryEntry, 'label'>): HistoryEntry | null {
    const entry = this.#redo.pop();
    if (!entry) return null;
    this.#undo.push({ ...present, label: entry.label });
    return entry;
  }

  get undoLabel(): string | null {
    return this.#undo.at(-1)?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.#redo.at(-1)?.label ?? null;
  }

  clear(): void {
    this.#undo.length = 0;
    this.#redo.length = 0;
  }
}
