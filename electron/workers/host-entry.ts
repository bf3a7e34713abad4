/** Utility-process entry of the service host (see core/src/host/node/host-process.ts). */
import { runHostProcess } from '../../core/src/host/node/host-process.js';

runHostProcess(process.argv);
