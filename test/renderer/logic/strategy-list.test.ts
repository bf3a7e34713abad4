/** Editing the strategy list: the active strategy is followed through every edit. */
import { describe, expect, it } from 'vitest';
import type { StrategySetting } from '@samfire/core/api';
import {
  addStrategy,
  flavourOf,
  makeActive,
  moveStrategy,
  parseBins,
  parseRadii,
  removeStrategy,
  renameStrategy,
  setStrategySettings,
  settingsText,
  uniqueName,
} from '../../../renderer/src/lib/logic/strategy-list.js';

const local: StrategySetting = { kind: 'redChisq', name: 'Local', settings: { radii: 3 } };
const global: StrategySetting = {
  kind: 'histogram',
  name: 'Global',
  settings: { bins: 'fd', maxModes: null },
};
const list = { strategies: [local, global], activeStrategy: 1 };
const names = (l: { strategies: StrategySetting[] }): string[] => l.strategies.map((s) => s.name);

describe('strategy list', () => {
  it('tells local from global strategies', () => {
    expect(flavourOf(local)).toBe('local');
    expect(flavourOf(global)).toBe('global');
    expect(flavourOf({ kind: 'x', name: 'x', settings: {} })).toBe('other');
  });

  it('adds a copy under a name not taken', () => {
    const a = addStrategy(list, local);
    expect(names(a)).toEqual(['Local', 'Global', 'Local 2']);
    expect(a.activeStrategy).toBe(1);
    expect(names(addStrategy(a, local))).toEqual(['Local', 'Global', 'Local 2', 'Local 3']);
    expect(a.strategies[2]).not.toBe(local);
    expect(uniqueName('A', ['A', 'A 2'])).toBe('A 3');
  });

  it('removes a strategy and keeps the active one active', () => {
    const three = addStrategy(list, local);
    const before = removeStrategy(three, 0);
    expect(before.ok && names(before.value)).toEqual(['Global', 'Local 2']);
    expect(before.ok && before.value.activeStrategy).toBe(0);
    const after = removeStrategy(three, 2);
    expect(after.ok && after.value.activeStrategy).toBe(1);
    // Removing the active one makes its successor (or the last) active.
    const active = removeStrategy(three, 1);
    expect(active.ok && active.value.activeStrategy).toBe(1);
    const last = removeStrategy({ ...three, activeStrategy: 2 }, 2);
    expect(last.ok && last.value.activeStrategy).toBe(1);
  });

  it('refuses to remove the only strategy', () => {
    const r = removeStrategy({ strategies: [local], activeStrategy: 0 }, 0);
    expect(r).toEqual({ ok: false, message: "'Local' is the only strategy: add another first" });
    expect(removeStrategy(list, 5).ok).toBe(false);
  });

  it('reorders, the active strategy moving with it', () => {
    const up = moveStrategy(list, 1, -1);
    expect(names(up)).toEqual(['Global', 'Local']);
    expect(up.activeStrategy).toBe(0);
    const down = moveStrategy(up, 1, 1);
    expect(down).toBe(up);
    expect(moveStrategy(list, 0, 5).activeStrategy).toBe(0);
  });

  it('makes a strategy active and renames one', () => {
    const m = makeActive(list, 0);
    expect(m.ok && m.value.activeStrategy).toBe(0);
    expect(makeActive(list, 2).ok).toBe(false);
    const r = renameStrategy(list, 0, ' Near ');
    expect(r.ok && names(r.value)).toEqual(['Near', 'Global']);
    expect(renameStrategy(list, 0, 'Global')).toEqual({
      ok: false,
      message: "there is already a strategy named 'Global'",
    });
    expect(renameStrategy(list, 0, '').ok).toBe(false);
  });

  it('changes one strategy’s settings', () => {
    const s = setStrategySettings(list, 0, { radii: [1, 2] });
    expect(s.strategies[0]!.settings).toEqual({ radii: [1, 2] });
    expect(s.strategies[1]).toBe(global);
    expect(settingsText(s.strategies[0]!)).toBe('radii 1, 2');
    expect(settingsText(global)).toBe('bins fd');
  });

  it('parses radii and bins as typed', () => {
    expect(parseRadii('3')).toEqual({ ok: true, value: 3 });
    expect(parseRadii('2, 3')).toEqual({ ok: true, value: [2, 3] });
    expect(parseRadii('0').ok).toBe(false);
    expect(parseRadii('far').ok).toBe(false);
    expect(parseBins(' FD ')).toEqual({ ok: true, value: 'fd' });
    expect(parseBins('20')).toEqual({ ok: true, value: 20 });
    expect(parseBins('2.5')).toMatchObject({ ok: false });
    expect(parseBins('many')).toMatchObject({ ok: false });
  });
});
