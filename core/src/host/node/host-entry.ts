/** Entry file of the service host as a Node child process (browser mode, tests). */
import { runHostProcess } from './host-process.js';

runHostProcess(process.argv.slice(2));
