/**
 * The one place the worker entry gets its kernel from. Kept apart from
 * fit-worker.ts so the entry stays a two-liner and test entries can serve
 * the same protocol with a fake kernel. The annotation makes a drift between
 * the engine's createKernel and what the worker host expects a compile error
 * here, not a runtime surprise in a worker.
 */
import { createKernel as samfireKernel } from '../../kernel/kernel.js';
import type { KernelFactory } from './worker-host.js';

export const createKernel: KernelFactory = samfireKernel;
