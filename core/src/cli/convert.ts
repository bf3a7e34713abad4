/**
 * `samfire convert IN --to-energy --out OUT.hspy [--jacobian MODE] [--signal N]`:
 * a cathodoluminescence signal on a wavelength axis (any readable file) to
 * the same signal on a non-uniform energy axis (E = hc / lambda, eV,
 * increasing), written as a HyperSpy file (the axis as a DataAxis). The
 * intensity and variance follow wavelengthToEnergy (core/src/cl/energy-axis.ts):
 * `--jacobian auto` (default) scales a non-binned signal by lambda^2 / hc and
 * keeps a binned one's counts; `always` and `never` force it.
 */
import { extname } from 'node:path';
import { stdout } from 'node:process';
import { wavelengthToEnergy, type JacobianMode } from '../cl/energy-axis.js';
import { readSignalFile } from '../io/node/read-file.js';
import { writeHspy } from '../io/node/hspy-write.js';
import { parseArgs } from './args.js';
import { checkDistinct } from './same-file.js';

export const CONVERT_USAGE = `  convert IN --to-energy --out OUT.hspy [--jacobian auto|always|never] [--signal N]
      a wavelength axis (nm, µm, Å) to a non-uniform energy axis (eV), E = hc / lambda;
      the intensity times lambda^2 / hc and the variance times its square, except a
      binned signal's counts, kept per channel (--jacobian auto, the default)
`;

const MODES: readonly JacobianMode[] = ['auto', 'always', 'never'];

export async function runConvert(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(
    args,
    ['out', 'jacobian', 'signal'],
    ['to-energy', 'quiet'],
  );
  if (positional.length !== 1) throw new Error('convert needs one input file');
  const input = positional[0]!;
  if (!options.has('to-energy')) {
    throw new Error('convert needs a conversion: --to-energy (wavelength to energy)');
  }
  const out = options.get('out');
  if (typeof out !== 'string') throw new Error('convert needs --out OUT.hspy');
  if (extname(out).toLowerCase() !== '.hspy') {
    throw new Error(`--out must be a .hspy file (HyperSpy keeps non-uniform axes), got '${out}'`);
  }
  const jacobian = (options.get('jacobian') ?? 'auto') as string;
  if (!(MODES as readonly string[]).includes(jacobian)) {
    throw new Error(`--jacobian must be auto, always or never, got '${jacobian}'`);
  }
  const signalOption = options.get('signal') ?? '0';
  const index = Number(signalOption);
  await checkDistinct([
    ['the input', input],
    ['--out', out],
  ]);
  const signals = await readSignalFile(input);
  if (!Number.isInteger(index) || index < 0 || index >= signals.length) {
    throw new Error(
      `--signal must be a signal index from 0 to ${signals.length - 1} of ${input}, got '${String(signalOption)}'`,
    );
  }
  const signal = signals[index]!;
  let energy;
  try {
    energy = wavelengthToEnergy(signal, { jacobian: jacobian as JacobianMode });
  } catch (e) {
    throw new Error(`${input}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await writeHspy(out, energy);
  if (!options.has('quiet')) {
    const x = energy.signalAxis.values!;
    const scaled =
      jacobian === 'always' || (jacobian === 'auto' && !(signal.signalAxis.isBinned ?? false));
    stdout.write(
      `wrote ${out}: ${energy.channels} channels from ${x[0]!.toPrecision(6)} to ${x[x.length - 1]!.toPrecision(6)} eV (non-uniform), ${scaled ? 'intensity scaled by lambda^2/hc' : 'counts per channel kept'}\n`,
    );
  }
  return 0;
}
