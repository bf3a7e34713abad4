/** The fit service's run states: the moves the table allows, and an error for any other. */
import { describe, expect, it } from 'vitest';
import type { RunState } from '@samfire/core/api';
import {
  RUN_TRANSITIONS,
  RunStateMachine,
  canMove,
  isBusy,
} from '../../../core/src/host/run-state.js';

const STATES: RunState[] = [
  'idle',
  'starting',
  'running',
  'stopping',
  'stopped',
  'finished',
  'failed',
];

describe('run state machine', () => {
  it('has a row for every state, naming only states', () => {
    expect(Object.keys(RUN_TRANSITIONS).sort()).toEqual([...STATES].sort());
    for (const to of Object.values(RUN_TRANSITIONS).flat()) expect(STATES).toContain(to);
  });

  it('walks a run: start, stop, stopped, resume, finished, a new engine', () => {
    const run = new RunStateMachine();
    expect(run.state).toBe('idle');
    for (const s of ['running', 'stopping', 'stopped', 'running', 'finished', 'idle'] as const) {
      run.move(s);
      expect(run.state).toBe(s);
    }
  });

  it('is busy while starting, running or stopping', () => {
    expect(STATES.filter(isBusy)).toEqual(['starting', 'running', 'stopping']);
    const run = new RunStateMachine();
    run.move('running');
    expect(run.busy).toBe(true);
  });

  it('refuses a move the table does not allow and stays where it was', () => {
    const run = new RunStateMachine();
    expect(() => run.move('finished')).toThrow(
      "fit service: a run cannot go from 'idle' to 'finished'",
    );
    expect(run.state).toBe('idle');
    run.move('running');
    expect(() => run.move('running')).toThrow(/from 'running' to 'running'/);
    expect(() => run.move('idle')).toThrow(/from 'running' to 'idle'/);
  });

  it('never drops a running engine to idle, and stops only a run that goes', () => {
    expect(canMove('running', 'idle')).toBe(false);
    for (const s of STATES) {
      expect(canMove(s, 'stopping')).toBe(s === 'running' || s === 'starting');
    }
  });
});
