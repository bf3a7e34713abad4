#!/usr/bin/env node
// The `samfire` command: a launcher committed to the repository, so npm can
// link it at install time, before `npm run build` has compiled the CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/samfire.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('samfire: the command line is not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
