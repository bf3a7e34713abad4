/** A backup is checked in full when read: a tampered or damaged file is refused naming the field. */
import { describe, expect, it } from 'vitest';
import { parseBackup, Samfire } from '@samfire/core';
import type { SamfireBackup } from '@samfire/core';
import { gridModel, storeFit } from './fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a tampered backup may hold anything anywhere
type Tampered = Record<string, any>;

async function backupJson(): Promise<SamfireBackup> {
  const model = gridModel([3, 3]);
  storeFit(model, 4, 1);
  const s = new Samfire(model, { workers: 0, randomSeed: 5 });
  s.generateValues(2);
  return JSON.parse(JSON.stringify(await s.backup('b.json'))) as SamfireBackup;
}

/** A deep copy with one change made by `edit`. */
async function tampered(edit: (b: Tampered) => void): Promise<unknown> {
  const b = structuredClone(await backupJson()) as unknown as Tampered;
  edit(b);
  return b;
}

describe('backup schema', () => {
  it('accepts a backup the engine wrote, unchanged', async () => {
    const b = await backupJson();
    expect(parseBackup(b)).toEqual(b);
  });

  it.each<[string, (b: Tampered) => void, RegExp]>([
    [
      'a marker value that is not a number',
      (b) => (b.engine.marker[3] = 'x'),
      /SAMFire backup\.engine\.marker\[3\]: expected a finite number or "NaN", got "x"/,
    ],
    [
      'a marker of the wrong length',
      (b) => b.engine.marker.pop(),
      /SAMFire backup\.engine\.marker: holds 8 values for 9 pixels/,
    ],
    [
      'a count that is not an integer',
      (b) => (b.engine.count = 1.5),
      /SAMFire backup\.engine\.count: expected an integer, got 1\.5/,
    ],
    [
      'an unknown field (tampering)',
      (b) => (b.engine.evil = true),
      /SAMFire backup\.engine: unexpected field 'evil'/,
    ],
    [
      'a missing model',
      (b) => delete b.model,
      /SAMFire backup\.model: expected an object, got undefined/,
    ],
    [
      'a parameter whose bound is a string',
      (b) => (b.model.components[0].parameters[0].bmin = '0'),
      /SAMFire backup\.model\.components\[0\]\.parameters\[0\]\.bmin: expected a finite number/,
    ],
    [
      'an is-set flag that is not 0 or 1',
      (b) => (b.model.components[0].parameters[0].map.isSet[0] = 2),
      /map\.isSet\[0\]: expected 0 or 1, got 2/,
    ],
    [
      'an active strategy past the list',
      (b) => (b.engine.activeStrategy = 5),
      /SAMFire backup\.engine\.activeStrategy: 5 is past the 2 strategies/,
    ],
    [
      'an unknown run order',
      (b) => (b.engine.order = 'random'),
      /SAMFire backup\.engine\.order: expected one of pick, arrival, got "random"/,
    ],
    [
      'channel switches for another signal',
      (b) => b.model.channelSwitches.push(1),
      /SAMFire backup\.model\.channelSwitches: holds 9 flags for 8 channels/,
    ],
  ])('refuses %s', async (_what, edit, message) => {
    const b = await tampered(edit);
    expect(() => parseBackup(b)).toThrow(message);
  });
});
