/**
 * The X-ray line database (xray-data.ts, generated from Elam, Ravel and
 * Sieber's table) and the look-ups an EDS model needs: an element's lines,
 * its line families (K, L, M) with each line's weight within the family, the
 * lines near an energy ("what is this peak?"), and line names as EDS users
 * write them (`Fe_Ka`, `Ag_La`, `Ce_Ma`, `Si_Kb`). Energies are in eV here;
 * the model converts them to the signal axis's units.
 *
 * ## Weights within a family
 *
 * The table gives, per vacancy (K, L1, L2, ...), the relative rates of the
 * lines that fill it. Lines of one family but different vacancies (Lα from
 * L3, Lβ1 from L2) need the vacancy distribution. For electron excitation it
 * is modelled as:
 *
 * 1. primary vacancies per sub-shell i from Bethe's ionisation cross-section,
 *    n_i ∝ z_i ln(U_i) / (U_i E_i²), with z_i the sub-shell's full occupancy
 *    (s: 2, p1/2: 2, p3/2: 4, d3/2: 4, d5/2: 6), E_i its edge energy and
 *    U_i = E0 / E_i the overvoltage at the beam energy E0 (no vacancy when
 *    U_i <= 1: the overvoltage cut);
 * 2. Coster-Kronig transfers (the table's CK probabilities f_ij) move
 *    vacancies to shallower sub-shells of the same shell, in order
 *    (L1 -> L2, L3; then L2 -> L3; likewise M1 ... M5);
 * 3. a line's intensity is n_i ω_i r o, with ω_i the sub-shell's
 *    fluorescence yield, r the line's rate within its vacancy and o the
 *    occupancy of the sub-shell the electron comes from (electrons over
 *    capacity in the atom's ground-state configuration): the table's rates
 *    are for filled sub-shells, but Al has one 3p electron of six, so its
 *    Kβ (K-M2,3) is a sixth of the table's (Kβ/Kα 0.02, as measured, not
 *    0.12); likewise Si to Ar 3p, Sc to Ni 3d, Ga to Kr 4p, Y to Rh 4d.
 *    4f sub-shells (the lanthanides' M lines) are left at the table's rates:
 *    their M yields are semi-empirical already;
 * 4. weights are intensities over the family's total.
 *
 * K lines share one vacancy, so their weights are the table's rates times
 * the occupancies (Kβ/Kα = 0.143 for Fe, whose 3p is full). The beam energy enters only
 * through the U_i of L and M sub-shells.
 *
 * ## Lines as users name them
 *
 * Sub-lines are grouped as EDS software names them: Ka1, Ka2, Ka3 -> Ka;
 * Kb1, Kb3, Kb5 -> Kb; Kb2, Kb4 -> Kb2; La1, La2 -> La; Lb2,15 -> Lb2; every
 * other line keeps its Siegbahn name. A group is one model line (one
 * Gaussian) at its weighted mean energy, its width widened by the group's
 * rms energy spread in quadrature (so the line's first two moments are
 * exact), when that spread is at most MERGE_SPREAD of the detector's sigma
 * at that energy (Fe Kα1/Kα2, 13 eV apart, merge; Ag Kα1/Kα2, 172 eV apart,
 * stay two lines, named Ka1 and Ka2).
 *
 * ## Weak lines
 *
 * Model lines weighing less than WEAK_LINE (1%) of their family are left
 * out and the remaining weights rescaled to sum to 1.
 */
import { XRAY_ELEMENTS, type XrayEdgeRow, type XrayLineRow } from './xray-data.js';

export { XRAY_SOURCE } from './xray-data.js';

/** Lines weighing less than this fraction of their family are left out. */
export const WEAK_LINE = 0.01;
/** Sub-lines merge into one model line when their rms spread is at most this fraction of sigma. */
export const MERGE_SPREAD = 0.2;
/** FWHM of the Mn Kα line (eV) used when no resolution is given. */
export const DEFAULT_RESOLUTION_MNKA = 130;
/** Energy of Mn Kα (eV), the reference of the detector's resolution. */
export const MN_KA_ENERGY = 5898.7;
/** Fiori and Newbury: FWHM(E)² = FWHM(Mn Kα)² + FANO_SLOPE (E - 5898.7 eV), eV. */
export const FANO_SLOPE = 2.5;
/** Beam energy (eV) assumed when none is known. */
export const DEFAULT_BEAM_ENERGY = 20000;

export type XrayFamilyName = 'K' | 'L' | 'M';
export const XRAY_FAMILIES: readonly XrayFamilyName[] = ['K', 'L', 'M'];

export interface XrayEdge {
  shell: string;
  /** Edge (binding) energy, eV. */
  energy: number;
  fluorescenceYield: number;
  jumpRatio: number;
  /** Coster-Kronig transition probabilities to shallower sub-shells. */
  costerKronig: readonly { shell: string; probability: number }[];
}

/** A line of the table. */
export interface XrayLine {
  element: string;
  iupac: string;
  /** Siegbahn name as the table spells it (Ka1, Lb2,15, ...). */
  siegbahn: string;
  /** eV */
  energy: number;
  /** Relative rate among the lines filling the same vacancy. */
  rate: number;
  /** The vacancy's shell (K, L1, ..., M5). */
  edge: string;
}

export interface XrayElement {
  symbol: string;
  Z: number;
  atomicWeight: number;
  edges: readonly XrayEdge[];
  lines: readonly XrayLine[];
}

/** One line of a family as the model uses it (possibly several table lines merged). */
export interface FamilyLine {
  /** As users write it after the element: Ka, Kb, La, Lb1, Ma, ... (Ka1, Ka2 when not merged). */
  name: string;
  /** Weighted mean energy of the merged table lines, eV. */
  energy: number;
  /** Weight within the family (the family's weights sum to 1). */
  weight: number;
  /** Rms energy spread of the merged table lines, eV (0 for a single line). */
  spread: number;
  /** Highest edge energy among the vacancies it comes from, eV. */
  edgeEnergy: number;
  /** The table lines it is made of, with their weights within the family. */
  parts: readonly { siegbahn: string; iupac: string; energy: number; weight: number }[];
}

export interface XrayFamily {
  element: string;
  family: XrayFamilyName;
  /** The family's lowest edge energy (K, L3 or M5), eV: below it there is no line. */
  edgeEnergy: number;
  /** Model lines, strongest first; weights sum to 1. */
  lines: readonly FamilyLine[];
}

export interface FamilyOptions {
  /** Beam energy, eV: sets the overvoltage cut and the L and M sub-shell weights. @default 20 000 */
  beamEnergy?: number;
  /** FWHM of Mn Kα, eV, for deciding which sub-lines merge. @default 130 */
  resolution?: number;
  /** Drop model lines below this weight and rescale. @default 0.01 */
  weakLine?: number;
}

const byZ: XrayElement[] = XRAY_ELEMENTS.map(([symbol, Z, atomicWeight, edges, lines]) => ({
  symbol,
  Z,
  atomicWeight,
  edges: edges.map(([shell, energy, fluorescenceYield, jumpRatio, ck]: XrayEdgeRow): XrayEdge => ({
    shell,
    energy,
    fluorescenceYield,
    jumpRatio,
    costerKronig: ck.map(([to, probability]) => ({ shell: to, probability })),
  })),
  lines: lines.map(([iupac, siegbahn, energy, rate, edge]: XrayLineRow): XrayLine => ({
    element: symbol,
    iupac,
    siegbahn,
    energy,
    rate,
    edge,
  })),
}));
const bySymbol = new Map(byZ.map((e) => [e.symbol.toLowerCase(), e]));

/** Every element symbol of the table, by atomic number. */
export function elementSymbols(): string[] {
  return byZ.map((e) => e.symbol);
}

/** An element by symbol (any case) or atomic number; errors name what was asked. */
export function xrayElement(element: string | number): XrayElement {
  if (typeof element === 'number') {
    const e = byZ[element - 1];
    if (!e || !Number.isInteger(element))
      throw new Error(
        `no element with atomic number ${element} (the table has 1 to ${byZ.length})`,
      );
    return e;
  }
  const e = bySymbol.get(String(element).trim().toLowerCase());
  if (!e) throw new Error(`'${element}' is not an element symbol (the table has H to Cf)`);
  return e;
}

/** The table's lines of an element (all families), by energy. */
export function elementLines(element: string | number): XrayLine[] {
  return [...xrayElement(element).lines].sort((a, b) => a.energy - b.energy);
}

/** Sub-shells of each family, deepest first (the order of Coster-Kronig transfers). */
const FAMILY_SHELLS: Record<XrayFamilyName, readonly string[]> = {
  K: ['K'],
  L: ['L1', 'L2', 'L3'],
  M: ['M1', 'M2', 'M3', 'M4', 'M5'],
};
/** Full occupancy of each sub-shell. */
const OCCUPANCY: Record<string, number> = {
  K: 2,
  L1: 2,
  L2: 2,
  L3: 4,
  M1: 2,
  M2: 2,
  M3: 4,
  M4: 4,
  M5: 6,
};

/** Orbitals in Madelung (aufbau) filling order: [n, l]. */
const AUFBAU: readonly (readonly [number, number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [4, 0],
  [3, 2],
  [4, 1],
  [5, 0],
  [4, 2],
  [5, 1],
  [6, 0],
  [4, 3],
  [5, 2],
  [6, 1],
  [7, 0],
  [5, 3],
  [6, 2],
  [7, 1],
];
/** Ground states that differ from the aufbau order: Z -> orbital 'nl' -> electrons. */
const CONFIGURATION_EXCEPTIONS: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  24: { '3,2': 5, '4,0': 1 },
  29: { '3,2': 10, '4,0': 1 },
  41: { '4,2': 4, '5,0': 1 },
  42: { '4,2': 5, '5,0': 1 },
  44: { '4,2': 7, '5,0': 1 },
  45: { '4,2': 8, '5,0': 1 },
  46: { '4,2': 10, '5,0': 0 },
  47: { '4,2': 10, '5,0': 1 },
  57: { '4,3': 0, '5,2': 1 },
  58: { '4,3': 1, '5,2': 1 },
  64: { '4,3': 7, '5,2': 1 },
  78: { '5,2': 9, '6,0': 1 },
  79: { '5,2': 10, '6,0': 1 },
  89: { '5,3': 0, '6,2': 1 },
  90: { '5,3': 0, '6,2': 2 },
  91: { '5,3': 2, '6,2': 1 },
  92: { '5,3': 3, '6,2': 1 },
  93: { '5,3': 4, '6,2': 1 },
  96: { '5,3': 7, '6,2': 1 },
};

/** Electrons in orbital (n, l) of element Z's ground state. */
export function orbitalOccupancy(Z: number, n: number, l: number): number {
  const exception = CONFIGURATION_EXCEPTIONS[Z]?.[`${n},${l}`];
  if (exception !== undefined) return exception;
  let left = Z;
  for (const [on, ol] of AUFBAU) {
    const capacity = 2 * (2 * ol + 1);
    const e = Math.min(capacity, left);
    if (on === n && ol === l) return e;
    left -= e;
  }
  return 0;
}

const SHELL_N: Record<string, number> = { K: 1, L: 2, M: 3, N: 4, O: 5, P: 6, Q: 7 };

/**
 * Occupancy (0 to 1) of the sub-shell a line's electron comes from (the part
 * of the IUPAC name after '-': M3, M4,5, N2,3), 1 for f sub-shells (see the
 * module's notes).
 */
export function sourceOccupancy(Z: number, iupac: string): number {
  const m = /-([KLMNOPQ])(\d)/.exec(iupac);
  if (!m) return 1;
  const n = SHELL_N[m[1]!]!;
  const k = Number(m[2]);
  const l = k === 1 ? 0 : k <= 3 ? 1 : k <= 5 ? 2 : 3;
  if (l === 3 || l >= n) return 1;
  return orbitalOccupancy(Z, n, l) / (2 * (2 * l + 1));
}

/** Which family a vacancy shell belongs to (null for N and beyond). */
export function familyOfShell(shell: string): XrayFamilyName | null {
  const c = shell[0];
  return c === 'K' || c === 'L' || c === 'M' ? c : null;
}

/** The user-level name a table line is grouped under (Ka1 -> Ka, Lb2,15 -> Lb2, ...). */
export function lineGroup(siegbahn: string): string {
  if (/^Ka\d$/.test(siegbahn)) return 'Ka';
  if (siegbahn === 'Kb1' || siegbahn === 'Kb3' || siegbahn === 'Kb5') return 'Kb';
  if (siegbahn === 'Kb2' || siegbahn === 'Kb4') return 'Kb2';
  if (siegbahn === 'La1' || siegbahn === 'La2') return 'La';
  const comma = siegbahn.indexOf(',');
  return comma > 0 ? siegbahn.slice(0, comma) : siegbahn;
}

/** Detector FWHM (eV) at `energy` (eV) by Fiori and Newbury, with a floor of 1 eV. */
export function detectorFwhm(energy: number, fwhmMnKa = DEFAULT_RESOLUTION_MNKA): number {
  const f2 = fwhmMnKa * fwhmMnKa + FANO_SLOPE * (energy - MN_KA_ENERGY);
  return Math.sqrt(Math.max(f2, 1));
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/**
 * Relative vacancies per sub-shell of a family after Coster-Kronig transfers
 * (see the module's notes), 0 for sub-shells the beam cannot ionise.
 */
function vacancies(
  e: XrayElement,
  family: XrayFamilyName,
  beamEnergy: number,
): Map<string, number> {
  const shells = FAMILY_SHELLS[family];
  const out = new Map<string, number>();
  for (const shell of shells) {
    const edge = e.edges.find((d) => d.shell === shell);
    let n = 0;
    if (edge && edge.energy > 0) {
      const u = beamEnergy / edge.energy;
      if (u > 1) n = (OCCUPANCY[shell]! * Math.log(u)) / (u * edge.energy * edge.energy);
    }
    out.set(shell, n);
  }
  for (const shell of shells) {
    const edge = e.edges.find((d) => d.shell === shell);
    const n = out.get(shell)!;
    if (!edge || n === 0) continue;
    for (const t of edge.costerKronig) {
      if (out.has(t.shell)) out.set(t.shell, out.get(t.shell)! + n * t.probability);
    }
  }
  return out;
}

function checkEnergy(value: number, what: string): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`${what} must be a positive number of eV, got ${value}`);
}

/**
 * A family of an element with its model lines and their weights at the
 * beam energy, or null when the beam cannot excite it or it has no line.
 */
export function xrayFamily(
  element: string | number,
  family: XrayFamilyName,
  options: FamilyOptions = {},
): XrayFamily | null {
  const e = xrayElement(element);
  if (!FAMILY_SHELLS[family]) throw new Error(`X-ray family '${String(family)}' is not K, L or M`);
  const beamEnergy = options.beamEnergy ?? DEFAULT_BEAM_ENERGY;
  const resolution = options.resolution ?? DEFAULT_RESOLUTION_MNKA;
  const weakLine = options.weakLine ?? WEAK_LINE;
  checkEnergy(beamEnergy, 'the beam energy');
  checkEnergy(resolution, 'the resolution (FWHM of Mn Ka)');
  if (!(weakLine >= 0 && weakLine < 1))
    throw new Error(`the weak-line threshold must be from 0 to below 1, got ${weakLine}`);
  const shells = FAMILY_SHELLS[family];
  const edges = e.edges.filter((d) => shells.includes(d.shell) && d.energy > 0);
  if (edges.length === 0) return null;
  const n = vacancies(e, family, beamEnergy);
  const intensities = e.lines
    .filter((l) => shells.includes(l.edge) && l.energy > 0)
    .map((l) => {
      const edge = e.edges.find((d) => d.shell === l.edge)!;
      const omega = family === 'K' ? 1 : edge.fluorescenceYield;
      const intensity = n.get(l.edge)! * omega * l.rate * sourceOccupancy(e.Z, l.iupac);
      return { line: l, edgeEnergy: edge.energy, intensity };
    })
    .filter((x) => x.intensity > 0);
  const total = intensities.reduce((s, x) => s + x.intensity, 0);
  if (!(total > 0)) return null;
  // Group the table lines under their user-level names; merge a group when narrow enough.
  const groups = new Map<string, typeof intensities>();
  for (const x of intensities) {
    const g = lineGroup(x.line.siegbahn);
    groups.set(g, [...(groups.get(g) ?? []), x]);
  }
  let lines: FamilyLine[] = [];
  for (const [name, members] of groups) {
    const w = members.reduce((s, x) => s + x.intensity, 0);
    const mean = members.reduce((s, x) => s + x.intensity * x.line.energy, 0) / w;
    const spread = Math.sqrt(
      members.reduce((s, x) => s + x.intensity * (x.line.energy - mean) ** 2, 0) / w,
    );
    const sigma = detectorFwhm(mean, resolution) / FWHM_PER_SIGMA;
    const part = (x: (typeof members)[number]) => ({
      siegbahn: x.line.siegbahn,
      iupac: x.line.iupac,
      energy: x.line.energy,
      weight: x.intensity / total,
    });
    if (members.length === 1 || spread <= MERGE_SPREAD * sigma) {
      lines.push({
        name,
        energy: mean,
        weight: w / total,
        spread: members.length === 1 ? 0 : spread,
        edgeEnergy: Math.max(...members.map((x) => x.edgeEnergy)),
        parts: members.map(part),
      });
    } else {
      for (const x of members) {
        lines.push({
          name: x.line.siegbahn.replace(/,.*$/, ''),
          energy: x.line.energy,
          weight: x.intensity / total,
          spread: 0,
          edgeEnergy: x.edgeEnergy,
          parts: [part(x)],
        });
      }
    }
  }
  lines = lines.filter((l) => l.weight >= weakLine);
  const kept = lines.reduce((s, l) => s + l.weight, 0);
  lines = lines
    .map((l) => ({
      ...l,
      weight: l.weight / kept,
      parts: l.parts.map((p) => ({ ...p, weight: p.weight / kept })),
    }))
    .sort((a, b) => b.weight - a.weight || a.energy - b.energy);
  return {
    element: e.symbol,
    family,
    edgeEnergy: Math.min(...edges.map((d) => d.energy)),
    lines,
  };
}

/** The families of an element the beam excites (K, L, M order). */
export function xrayFamilies(element: string | number, options: FamilyOptions = {}): XrayFamily[] {
  return XRAY_FAMILIES.flatMap((f) => xrayFamily(element, f, options) ?? []);
}

/** `Fe_Ka` (or `Fe Ka`, `fe_ka`) split into the element's symbol and the line's name. */
export function parseLineName(text: string): { element: string; line: string } {
  const m = /^\s*([A-Za-z]{1,2})[_\s]+([A-Za-z]{2}\d*(?:,\d+)?)\s*$/.exec(text);
  if (!m) {
    throw new Error(
      `'${text}' is not an X-ray line name; write it as element_line, e.g. Fe_Ka, Ag_La, Ce_Ma, Si_Kb`,
    );
  }
  const element = xrayElement(m[1]!).symbol;
  const raw = m[2]!;
  const line = raw[0]!.toUpperCase() + raw[1]!.toLowerCase() + raw.slice(2);
  return { element, line };
}

/** A named line: the family's model line, or a table line of that Siegbahn name. */
export interface NamedLine {
  /** Element_line, e.g. Fe_Ka. */
  name: string;
  element: string;
  family: XrayFamilyName;
  /** eV */
  energy: number;
  /** Weight within its family (0 when the beam cannot excite it). */
  weight: number;
}

/**
 * A line by the name users write: `Fe_Ka` (the merged model line), `Fe_Ka1`
 * (a table line), `Ag_Lb2`. The energy is the table's (a merged line's
 * weighted mean); the weight is within the family at `options.beamEnergy`,
 * 0 when that line is below the weak-line threshold or not excited.
 */
export function xrayLine(text: string, options: FamilyOptions = {}): NamedLine {
  const { element, line } = parseLineName(text);
  const family = familyOfShell(line[0]!);
  if (family === null) throw new Error(`'${text}': the line '${line}' is not a K, L or M line`);
  const name = `${element}_${line}`;
  const fam = xrayFamily(element, family, options);
  const model = fam?.lines.find((l) => l.name === line);
  if (model) return { name, element, family, energy: model.energy, weight: model.weight };
  // A table line (Ka1) or a group (Ka) even when not a model line at these settings.
  const e = xrayElement(element);
  const exact = e.lines.filter((l) => l.siegbahn.replace(/,.*$/, '') === line);
  const members = exact.length > 0 ? exact : e.lines.filter((l) => lineGroup(l.siegbahn) === line);
  if (members.length === 0) {
    const known = [...new Set(e.lines.map((l) => lineGroup(l.siegbahn)))].join(', ');
    throw new Error(`${element} has no line '${line}' in the table (it has ${known || 'none'})`);
  }
  const parts = fam?.lines.flatMap((l) => l.parts) ?? [];
  const weight = members.reduce(
    (s, m) => s + (parts.find((p) => p.iupac === m.iupac)?.weight ?? 0),
    0,
  );
  const rate = members.reduce((s, m) => s + m.rate, 0);
  const energy = members.reduce((s, m) => s + m.rate * m.energy, 0) / rate;
  return { name, element, family, energy, weight };
}

export interface LineNearOptions extends FamilyOptions {
  /** Half-width of the window, eV. @default the detector FWHM at that energy */
  tolerance?: number;
  /** Only these elements. @default all */
  elements?: readonly string[];
  /** Only lines at least this heavy within their family. @default 0.01 (every model line) */
  minWeight?: number;
}

export interface LineNear extends NamedLine {
  /** Line energy minus the energy asked about, eV. */
  distance: number;
}

const familyCache = new Map<string, XrayFamily[]>();

function familiesAt(options: FamilyOptions): XrayFamily[] {
  const key = `${options.beamEnergy ?? ''}|${options.resolution ?? ''}|${options.weakLine ?? ''}`;
  let all = familyCache.get(key);
  if (!all) {
    all = byZ.flatMap((e) => xrayFamilies(e.symbol, options));
    if (familyCache.size > 16) familyCache.clear();
    familyCache.set(key, all);
  }
  return all;
}

/**
 * Model lines within `tolerance` of `energy` (eV), nearest first (then
 * heaviest): the candidates for a peak under the cursor.
 */
export function linesNear(energy: number, options: LineNearOptions = {}): LineNear[] {
  checkEnergy(energy, 'the energy');
  const tolerance = options.tolerance ?? detectorFwhm(energy, options.resolution);
  if (!(tolerance >= 0)) throw new Error(`the tolerance must be >= 0 eV, got ${tolerance}`);
  const only = options.elements
    ? new Set(options.elements.map((s) => xrayElement(s).symbol))
    : null;
  const minWeight = options.minWeight ?? 0;
  const out: LineNear[] = [];
  for (const fam of familiesAt(options)) {
    if (only && !only.has(fam.element)) continue;
    for (const l of fam.lines) {
      const distance = l.energy - energy;
      if (Math.abs(distance) > tolerance || l.weight < minWeight) continue;
      out.push({
        name: `${fam.element}_${l.name}`,
        element: fam.element,
        family: fam.family,
        energy: l.energy,
        weight: l.weight,
        distance,
      });
    }
  }
  return out.sort((a, b) => Math.abs(a.distance) - Math.abs(b.distance) || b.weight - a.weight);
}
