/**
 * Registers Node's core count for SAMFire's default `workers` (cores - 1, at
 * least 1): os.availableParallelism() counts the cores this process may use
 * (CPU affinity included). Loading this module is enough; the Node layers
 * (the `@samfire/core/node` entry, backup files, CLI, host) import it, so `new Samfire(model)`
 * in Node picks the right default even on Node 20, which has no navigator.
 */
import { availableParallelism } from 'node:os';
import { setCoreCount } from '../engine-options.js';

export function nodeCores(): number {
  return availableParallelism();
}

setCoreCount(nodeCores);
