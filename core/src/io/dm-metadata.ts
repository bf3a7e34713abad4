/**
 * What a fit needs from a DigitalMicrograph file's image tags, under the
 * names HyperSpy 1.7.3 gives them (`Acquisition_instrument.TEM.beam_energy`,
 * `...Detector.EELS.collection_angle`, `Signal.Noise_properties.
 * Variance_linear_model.gain_factor`, ...), so that models, the app and the
 * .hspy writer find them where they look for them. Only tags that are
 * present are mapped; the whole tag tree stays in `metadata.dm`.
 */
import { metaAt } from '../util/metadata.js';

export interface DmBrightness {
  /** Counts per stored unit (the DM brightness calibration's scale). */
  scale?: number;
  origin?: number;
}

const num = (tags: Record<string, unknown>, path: string): number | undefined => {
  const v = metaAt(tags, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const text = (tags: Record<string, unknown>, path: string): string | undefined => {
  const v = metaAt(tags, path);
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
};

/** Sets `value` at a dotted path of `tree` (making the groups) when it is defined. */
function put(tree: Record<string, unknown>, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split('.');
  let at = tree;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (typeof next === 'object' && next !== null) at = next as Record<string, unknown>;
    else at = at[key] = {};
  }
  at[keys[keys.length - 1]!] = value;
}

/**
 * HyperSpy-named metadata from the plain image tags (`ImageTags` as
 * toPlain gives them) and the data's brightness calibration.
 */
export function dmHyperspyMetadata(
  tags: Record<string, unknown>,
  brightness: DmBrightness,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const illumination = text(tags, 'Microscope Info.Illumination Mode') ?? '';
  const instrument = /^SEM/i.test(illumination) ? 'SEM' : 'TEM';
  const at = `Acquisition_instrument.${instrument}`;
  const voltage = num(tags, 'Microscope Info.Voltage');
  put(out, `${at}.beam_energy`, voltage === undefined ? undefined : voltage / 1000);
  put(out, `${at}.beam_current`, num(tags, 'Microscope Info.Probe Current (nA)'));
  put(
    out,
    `${at}.microscope`,
    text(tags, 'Session Info.Microscope') ?? text(tags, 'Microscope Info.Name'),
  );
  put(out, `${at}.magnification`, num(tags, 'Microscope Info.Indicated Magnification'));
  put(out, `${at}.camera_length`, num(tags, 'Microscope Info.STEM Camera Length'));
  put(out, `${at}.Stage.tilt_alpha`, num(tags, 'Microscope Info.Stage Position.Stage Alpha'));
  put(out, `${at}.Stage.tilt_beta`, num(tags, 'Microscope Info.Stage Position.Stage Beta'));
  for (const axis of ['x', 'y', 'z']) {
    const v = num(tags, `Microscope Info.Stage Position.Stage ${axis.toUpperCase()}`);
    // DM stores the stage position in µm; HyperSpy's metadata in mm.
    put(out, `${at}.Stage.${axis}`, v === undefined ? undefined : v * 1e-3);
  }
  const eels = 'Acquisition_instrument.TEM.Detector.EELS';
  put(
    out,
    'Acquisition_instrument.TEM.convergence_angle',
    num(tags, 'EELS.Experimental Conditions.Convergence semi-angle (mrad)'),
  );
  put(
    out,
    `${eels}.collection_angle`,
    num(tags, 'EELS.Experimental Conditions.Collection semi-angle (mrad)'),
  );
  put(out, `${eels}.spectrometer`, text(tags, 'EELS Spectrometer.Instrument name'));
  const exposure = num(tags, 'EELS.Acquisition.Exposure (s)');
  const frames = num(tags, 'EELS.Acquisition.Number of frames');
  put(out, `${eels}.frame_number`, frames);
  put(out, `${eels}.exposure`, exposure === undefined ? undefined : exposure * (frames ?? 1));
  if (brightness.scale !== undefined && Number.isFinite(brightness.scale)) {
    put(out, 'Signal.Noise_properties.Variance_linear_model', {
      gain_factor: brightness.scale,
      gain_offset: brightness.origin ?? 0,
    });
  }
  return out;
}
