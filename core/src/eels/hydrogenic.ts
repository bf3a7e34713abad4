/**
 * Inner-shell ionisation cross sections of the hydrogenic model (Egerton's
 * approach, "Electron Energy-Loss Spectroscopy in the Electron Microscope",
 * ch. 3 and 4), written from the physics:
 *
 * - the generalised oscillator strength (GOS) df/dE of a hydrogen-like shell
 *   with an effective nuclear charge Zs (Bethe 1930 for 1s; Walske 1956 and
 *   Choi, Merzbacher and Lewis for 2s and 2p). In reduced units
 *   W = E / (Zs^2 R) and Q' = (q a0)^2 / Zs^2 the shell's GOS per unit W is
 *     K (1s, 2 electrons), k^2 = W - 1:
 *       256 W (Q' + (1 + k^2)/3) X / [(Q' - k^2 + 1)^2 + 4 k^2]^3
 *     L (n = 2), k^2 = W - 1/4:
 *       32 W G(Q', k^2) X / [(Q' - k^2 + 1/4)^2 + k^2]^m
 *       (2p alone: m = 5 and a quartic G; 2s + 2p: m = 4 and a cubic G),
 *   with X the Coulomb factor of the ejected electron: above the hydrogenic
 *   threshold exp(-2 b / k) / (1 - exp(-2 pi / k)), b = atan2(2 k / n, Q' -
 *   k^2 + 1/n^2) in [0, pi]; below it (k^2 < 0, kappa^2 = -k^2) the analytic
 *   continuation ((Q' + 1/n^2 + kappa^2 - 2 kappa/n)/(... + 2 kappa/n))^(1/kappa).
 *   The forms satisfy the Bethe sum rule (2, 6 and 8 electrons at large Q';
 *   tested), which is how their coefficients are checked;
 * - screening by Slater's rules as Egerton uses them: Zs = Z - 0.5 for the K
 *   shell, Z - 0.35 * 7 - 1.7 for the L shell;
 * - the edge placed at the experimental onset (below the hydrogenic threshold
 *   Zs^2 R or Zs^2 R / 4, where the continuation above applies), the 2s
 *   electrons counted only above the L1 onset;
 * - for L shells, Egerton's empirical near-edge factor (his program SIGMAL2,
 *   book appendix B; Egerton, Proc. 39th EMSA, 1981): the bare hydrogenic L
 *   GOS overestimates measured L2,3 edges, most near the onset (it ignores
 *   the inner-shell screening and the delayed maximum), so df/dE is
 *   multiplied by
 *     ((E - E_L3 + 0.1 eV) / (1.8 Z^2 eV))^u,
 *   u tabulated against Z from fits to measured spectra (0.52 for Al down to
 *   0.10 for Kr); for the 3d metals the factor is about 0.2 to 0.4 just
 *   above the onset and 0.6 to 0.8 a hundred eV above it. Egerton gives u
 *   for Z = 13 to 36; outside it we take the table's nearest end (Na, Mg:
 *   0.52; Z > 36: 0.10). His program also sets the factor to 1 within 20 eV
 *   of the edge for Z = 18 to 28 (the white lines); we do not (white lines
 *   belong to the fine structure), as HyperSpy 1.7.3's hydrogenic L edge
 *   does not either;
 * - the Bethe cross section with relativistic kinematics (Inokuti 1971), integrated over the scattering angle up to the collection
 *   semi-angle beta:
 *     dsigma/dE = (4 pi a0^2 R^2 / (E T)) * integral of df/dE d(ln Q),
 *   Q = R (q a0)^2 from E^2 / (4 T) to that plus gamma^2 T beta^2, with
 *   T = m0 v^2 / 2 the incident electron's "kinetic energy" of the Bethe
 *   formula and gamma its Lorentz factor.
 *
 * Cross sections are in barns (1e-28 m^2), per eV for the differential one,
 * per atom; energies in eV, the beam energy in keV, angles in mrad.
 */

/** Rydberg energy (eV). */
export const RYDBERG = 13.605693;
/** Bohr radius squared, in barns (a0 = 0.529177e-10 m). */
const A0_SQUARED_BARN = 2.8002852e7;
/** Electron rest energy (keV). */
const REST_ENERGY_KEV = 510.99895;

export type HydrogenicShell = 'K' | 'L';

/** The effective nuclear charge of a shell (Slater's screening as Egerton uses it). */
export function screenedCharge(z: number, shell: HydrogenicShell): number {
  return shell === 'K' ? z - 0.5 : z - 0.35 * 7 - 1.7;
}

/** The Coulomb factor X for principal quantum number n (1 or 2), at reduced Q' and k^2. */
function coulombFactor(q: number, k2: number, n: 1 | 2): number {
  const inv2 = n === 1 ? 1 : 0.25;
  const invN = n === 1 ? 1 : 0.5;
  const a = q - k2 + inv2;
  if (k2 >= 1e-10) {
    const k = Math.sqrt(k2);
    const b = Math.atan2(2 * k * invN, a);
    return Math.exp((-2 * b) / k) / -Math.expm1((-2 * Math.PI) / k);
  }
  const kappa = Math.sqrt(Math.max(-k2, 1e-10));
  const d = 2 * kappa * invN;
  return Math.exp(Math.log((a - d) / (a + d)) / kappa);
}

/**
 * The GOS per unit of the reduced energy W = E / (Zs^2 R), of the whole
 * shell: K (1s^2), L with the 2s electrons (`with2s`) or 2p^6 alone.
 */
export function reducedGos(shell: HydrogenicShell, w: number, q: number, with2s = true): number {
  if (shell === 'K') {
    const k2 = w - 1;
    const a = q - k2 + 1;
    const den = a * a + 4 * k2;
    return (256 * w * (q + (1 + k2) / 3) * coulombFactor(q, k2, 1)) / (den * den * den);
  }
  const k2 = w - 0.25;
  const a = q - k2 + 0.25;
  const base = a * a + k2;
  const x = coulombFactor(q, k2, 2);
  if (with2s) {
    const g =
      q * q * q -
      ((5 / 3) * k2 + 11 / 12) * q * q +
      ((k2 * k2) / 3 + 1.5 * k2 + 65 / 48) * q +
      (k2 * k2 * k2) / 3 +
      0.75 * k2 * k2 +
      (23 / 48) * k2 +
      5 / 64;
    return (32 * w * g * x) / base ** 4;
  }
  const g =
    2.25 * q ** 4 -
    (0.75 + 3 * k2) * q ** 3 +
    (0.59375 - 0.75 * k2 - 0.5 * k2 * k2) * q * q +
    (0.11146 + 0.85417 * k2 + 1.8833 * k2 * k2 + k2 ** 3) * q +
    0.0035807 +
    k2 / 21.333 +
    (k2 * k2) / 4.5714 +
    k2 ** 3 / 2.4 +
    k2 ** 4 / 4;
  return (32 * w * g * x) / base ** 5;
}

export interface Kinematics {
  /** m0 v^2 / 2 (eV). */
  t: number;
  gamma: number;
}

export function kinematics(beamEnergyKeV: number): Kinematics {
  const e = beamEnergyKeV;
  const gamma = 1 + e / REST_ENERGY_KEV;
  const t = (1e3 * e * (1 + e / (2 * REST_ENERGY_KEV))) / (gamma * gamma);
  return { t, gamma };
}

export interface HydrogenicEdge {
  /** Atomic number. */
  z: number;
  shell: HydrogenicShell;
  /** L shells: the L1 onset (eV), above which the 2s electrons count; absent: always. */
  l1Onset?: number;
  /**
   * L shells: the L3 onset (eV) of the near-edge factor; absent: the bare
   * hydrogenic GOS (no factor).
   */
  l3Onset?: number;
}

/**
 * Egerton's near-edge exponent u of the L2,3 edge for Z = 13 (Al) to 36
 * (Kr), from his program SIGMAL2 (book, appendix B).
 */
const NEAR_EDGE_U = [
  0.52, 0.42, 0.3, 0.29, 0.22, 0.3, 0.22, 0.16, 0.12, 0.13, 0.13, 0.14, 0.16, 0.18, 0.19, 0.22,
  0.14, 0.11, 0.12, 0.12, 0.12, 0.1, 0.1, 0.1,
];

/** The near-edge exponent u of an element's L2,3 edge (the table's ends outside Z = 13 to 36). */
export function nearEdgeExponent(z: number): number {
  const i = Math.min(NEAR_EDGE_U.length - 1, Math.max(0, Math.round(z) - 13));
  return NEAR_EDGE_U[i]!;
}

/**
 * Egerton's near-edge factor of an L2,3 edge at energy loss e (eV), onset
 * l3 (eV): ((e - l3 + 0.1) / (1.8 Z^2))^u; 0 below the onset.
 */
export function nearEdgeFactor(z: number, l3: number, e: number): number {
  const d = e - l3 + 0.1;
  if (!(d > 0)) return 0;
  return Math.pow(d / (1.8 * z * z), nearEdgeExponent(z));
}

/** Gauss-Legendre nodes and weights on [-1, 1] (n = 32), computed once. */
const GAUSS = ((n: number) => {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      dp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
})(32);

/**
 * dsigma/dE (barn/eV) at energy loss `e` (eV) for a beam of `beamEnergy`
 * keV and a collection semi-angle `beta` mrad (small-angle kinematics).
 */
export function differentialCrossSection(
  edge: HydrogenicEdge,
  e: number,
  beamEnergy: number,
  beta: number,
): number {
  if (!(e > 0) || !(beta > 0) || !(beamEnergy > 0)) return 0;
  const { t, gamma } = kinematics(beamEnergy);
  const zs = screenedCharge(edge.z, edge.shell);
  const unit = zs * zs * RYDBERG;
  const qMin = (e * e) / (4 * t);
  const qMax = qMin + gamma * gamma * t * (beta * 1e-3) ** 2;
  const l0 = Math.log(qMin);
  const half = (Math.log(qMax) - l0) / 2;
  const w = e / unit;
  const with2s = edge.l1Onset === undefined || e >= edge.l1Onset;
  // The integrand in ln Q is smooth and peaks near Q ~ Zs^2 R: Gauss-Legendre in ln Q.
  let s = 0;
  for (let i = 0; i < GAUSS.x.length; i++) {
    const q = Math.exp(l0 + half * (GAUSS.x[i]! + 1)) / unit;
    s += GAUSS.w[i]! * reducedGos(edge.shell, w, q, with2s);
  }
  s *= half;
  if (edge.shell === 'L' && edge.l3Onset !== undefined)
    s *= nearEdgeFactor(edge.z, edge.l3Onset, e);
  // df/dE = (GOS per unit W) / (Zs^2 R).
  return ((4 * Math.PI * A0_SQUARED_BARN * RYDBERG * RYDBERG) / (e * t)) * (s / unit);
}

/**
 * The cross section (barn) integrated from the onset over a window of
 * `width` eV: sigma(beta, Delta), Egerton's quantity for quantification.
 */
export function integratedCrossSection(
  edge: HydrogenicEdge,
  onset: number,
  width: number,
  beamEnergy: number,
  beta: number,
  step = 0.5,
): number {
  const n = Math.max(2, Math.ceil(width / step));
  // Simpson's rule (an even number of intervals).
  const m = n % 2 === 0 ? n : n + 1;
  const hh = width / m;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const c = i === 0 || i === m ? 1 : i % 2 === 1 ? 4 : 2;
    s += c * differentialCrossSection(edge, onset + i * hh, beamEnergy, beta);
  }
  return (s * hh) / 3;
}
