/** Utility-process entry of the service host (see core/src/host/node/host-process.ts). */
import { runHostProcess } from '@samfire/core/node';

runHostProcess(process.argv);
