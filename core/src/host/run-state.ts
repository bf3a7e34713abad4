/**
 * The state of the fit service's SAMFire run, and the only moves between
 * states. A move not in the table is an error (a bug in the service, not a
 * user mistake), so the state the app shows can always be explained.
 *
 *   idle ──start──▶ running ──stop──▶ stopping ──▶ stopped | finished | failed
 *                     │                                  │
 *                     └──── ends by itself ─▶ finished | stopped | failed
 *   stopped | finished | failed ──start / resume──▶ running
 *   any state but running ──engine dropped (new model, new settings)──▶ idle
 *   idle ──settings changed with an engine / restored from a backup──▶ stopped
 *   idle | stopped ──a dropped engine's run fails late──▶ failed
 *
 * 'starting' is part of the app's contract (RunState) and may come before
 * running; this service goes from idle to running directly.
 */
import type { RunState } from '../api/types.js';

export const RUN_TRANSITIONS: { readonly [S in RunState]: readonly RunState[] } = {
  idle: ['idle', 'starting', 'running', 'stopped', 'failed'],
  starting: ['running', 'stopping', 'failed', 'idle'],
  running: ['stopping', 'stopped', 'finished', 'failed'],
  stopping: ['stopped', 'finished', 'failed', 'idle'],
  stopped: ['running', 'starting', 'stopped', 'idle', 'failed'],
  finished: ['running', 'starting', 'idle', 'stopped'],
  failed: ['running', 'starting', 'idle', 'stopped'],
};

/** A run is going: edits, opening and another start wait for it to stop. */
export function isBusy(state: RunState): boolean {
  return state === 'running' || state === 'starting' || state === 'stopping';
}

export function canMove(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

export class RunStateMachine {
  #state: RunState = 'idle';

  get state(): RunState {
    return this.#state;
  }

  get busy(): boolean {
    return isBusy(this.#state);
  }

  /** Moves to `to`; throws when the table does not allow it. */
  move(to: RunState): void {
    if (!canMove(this.#state, to)) {
      throw new Error(`fit service: a run cannot go from '${this.#state}' to '${to}'`);
    }
    this.#state = to;
  }
}
