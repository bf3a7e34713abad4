#!/usr/bin/env node
/**
 * The `samfire` command line.
 *   samfire demo [--optimizer lm|mljs] [--json]
 */
import { argv, exit, stderr, stdout } from 'node:process';
import { runDemo } from './demo.js';

const USAGE = `usage: samfire <command> [options]

commands:
  demo [--optimizer lm|mljs] [--json]   fit the built-in example (domain-structured 7x15x400 spectrum image)
  help                                  show this help
`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'demo':
      return runDemo(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      stderr.write(`samfire: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    stderr.write(`samfire: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  },
);
