/**
 * Browser mode as `npm run start:browser` starts it (runBrowserMode, with the
 * command-line options after the script name), in a process of its own so
 * the attack suite can see it die. Prints the URL line like the real one.
 */
import { runBrowserMode } from '@samfire/core/node';

const [rendererDir, ...argv] = process.argv.slice(2);
await runBrowserMode(argv, { rendererDir: rendererDir! });
