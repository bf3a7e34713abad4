/**
 * What a store needs from outside itself, beside its own slice of the API:
 * a way to tell people (notices) and a guard that turns a failure into a
 * notice. `Studio` provides both; a test gives its own.
 */
import type { NoticeKind } from './notices.svelte.js';

export interface Feedback {
  /** Shows a notice; returns its id. */
  notify(kind: NoticeKind, title: string, text?: string, fadeMs?: number): number;
  /** Runs an action; a failure becomes an error notice titled `title` and resolves null. */
  guard<T>(title: string, action: () => Promise<T>): Promise<T | null>;
}
