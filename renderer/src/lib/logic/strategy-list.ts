/**
 * Editing the SAMFire strategy list as plain data: add, remove, reorder,
 * rename, change settings and make one active. The active strategy is
 * followed by identity, so reordering or removing others never silently
 * changes which one runs next. Each function returns the new list or a
 * message saying why it cannot.
 */
import type { PlainValue, StrategySetting } from '@samfire/core/api';
import { bad, ok, parseInteger, parseNumberList } from './parse.js';
import type { Parsed } from './parse.js';

export interface StrategyList {
  strategies: StrategySetting[];
  activeStrategy: number;
}

export type Flavour = 'local' | 'global' | 'other';

/** Local strategies grow from seeds over radii; global ones sample histograms. */
export function flavourOf(s: StrategySetting): Flavour {
  if ('radii' in s.settings) return 'local';
  if ('bins' in s.settings) return 'global';
  return 'other';
}

/** `base`, or `base 2`, `base 3`... whichever is not taken. */
export function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base} ${i}`)) return `${base} ${i}`;
}

export function addStrategy(list: StrategyList, template: StrategySetting): StrategyList {
  const name = uniqueName(
    template.name,
    list.strategies.map((s) => s.name),
  );
  return {
    strategies: [...list.strategies, { ...structuredClone(template), name }],
    activeStrategy: list.activeStrategy,
  };
}

export function removeStrategy(list: StrategyList, index: number): Parsed<StrategyList> {
  const s = list.strategies[index];
  if (!s) return bad(`there is no strategy ${index + 1}`);
  if (list.strategies.length === 1)
    return bad(`'${s.name}' is the only strategy: add another first`);
  const strategies = list.strategies.filter((_, i) => i !== index);
  let active = list.activeStrategy;
  if (index < active) active -= 1;
  else if (index === active) active = Math.min(active, strategies.length - 1);
  return ok({ strategies, activeStrategy: active });
}

/** Moves strategy `index` by `delta` places (clamped); the active one stays active. */
export function moveStrategy(list: StrategyList, index: number, delta: number): StrategyList {
  const n = list.strategies.length;
  const to = Math.max(0, Math.min(n - 1, index + delta));
  if (to === index || !list.strategies[index]) return list;
  const strategies = [...list.strategies];
  const [moved] = strategies.splice(index, 1);
  strategies.splice(to, 0, moved!);
  const activeItem = list.strategies[list.activeStrategy];
  return { strategies, activeStrategy: Math.max(0, strategies.indexOf(activeItem!)) };
}

export function makeActive(list: StrategyList, index: number): Parsed<StrategyList> {
  if (!list.strategies[index]) return bad(`there is no strategy ${index + 1}`);
  return ok({ strategies: list.strategies, activeStrategy: index });
}

export function renameStrategy(
  list: StrategyList,
  index: number,
  name: string,
): Parsed<StrategyList> {
  const n = name.trim();
  if (n === '') return bad('a strategy needs a name');
  if (list.strategies.some((s, i) => i !== index && s.name === n))
    return bad(`there is already a strategy named '${n}'`);
  return ok({
    strategies: list.strategies.map((s, i) => (i === index ? { ...s, name: n } : s)),
    activeStrategy: list.activeStrategy,
  });
}

export function setStrategySettings(
  list: StrategyList,
  index: number,
  settings: { [key: string]: PlainValue },
): StrategyList {
  return {
    strategies: list.strategies.map((s, i) =>
      i === index ? { ...s, settings: { ...s.settings, ...settings } } : s,
    ),
    activeStrategy: list.activeStrategy,
  };
}

/** Radii of a local strategy: one positive number, or one per navigation axis ("3" or "2, 3"). */
export function parseRadii(text: string): Parsed<number | number[]> {
  const p = parseNumberList(text);
  if (!p.ok) return bad(`radii: ${p.message}`);
  if (p.value.some((v) => !(v > 0))) return bad('radii must be positive');
  return ok(p.value.length === 1 ? p.value[0]! : p.value);
}

export const BIN_RULES = ['fd', 'scott', 'sturges'] as const;

/** Bins of a global strategy: a rule (fd, scott, sturges) or a number of bins. */
export function parseBins(text: string): Parsed<(typeof BIN_RULES)[number] | number> {
  const t = text.trim().toLowerCase();
  if ((BIN_RULES as readonly string[]).includes(t)) return ok(t as (typeof BIN_RULES)[number]);
  const n = parseInteger(t, 1, 100_000);
  return n.ok ? n : bad(`bins: use fd, scott, sturges or a whole number of bins (${n.message})`);
}

/** Settings shown as text in the list ("radii 3", "bins fd"). */
export function settingsText(s: StrategySetting): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(s.settings)) {
    if (v === null) continue;
    parts.push(`${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  }
  return parts.join(' · ');
}
