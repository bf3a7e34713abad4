/**
 * Entry file of a SAMFire fit worker. The same file serves a worker thread,
 * a forked child process and an Electron utility process: ports.ts finds out
 * which from the environment it wakes up in. Start it through
 * fitWorkerScript() (worker-script.ts), which picks the compiled or the
 * TypeScript file.
 */
import { createKernel } from './kernel-loader.js';
import { startWorker } from './ports.js';

startWorker(createKernel);
