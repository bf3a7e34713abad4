/**
 * The physics kinds of the component library: the EDS model's (X-ray line
 * families, the shared calibration, the bremsstrahlung background) and the
 * EELS ionisation edge. They build on the generic components and on models,
 * so they register here, above them all, rather than in components/index.ts.
 *
 * Imported for its effect by every entry point and by each module that makes
 * components from a kind name (the kernel, the host's model service, the
 * .hspy model reader), so that a kind is known wherever it can be asked for.
 */
import { registerComponentKind } from '../components/index.js';
import {
  bremsstrahlungComponent,
  edsCalibrationComponent,
  xrayFamilyComponent,
} from '../eds/eds-components.js';
import { eelsClEdge } from '../eels/edge-component.js';

/** The kinds this module registers, in order. */
export const PHYSICS_KINDS = ['XrayFamily', 'EdsCalibration', 'Bremsstrahlung', 'EELSCLEdge'];

let registered = false;

/** Registers the EDS and EELS kinds once (loading this module already does). */
export function registerPhysicsKinds(): void {
  if (registered) return;
  registered = true;
  registerComponentKind('XrayFamily', (o) => xrayFamilyComponent(o));
  registerComponentKind('EdsCalibration', () => edsCalibrationComponent());
  registerComponentKind('Bremsstrahlung', () => bremsstrahlungComponent());
  registerComponentKind('EELSCLEdge', (o) => eelsClEdge(o));
}

registerPhysicsKinds();
