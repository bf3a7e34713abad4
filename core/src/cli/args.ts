/**
 * Option parsing for the commands: Node's `util.parseArgs` (strict, with
 * positionals), with errors that name the option and say what is wrong.
 */
import { parseArgs as nodeParseArgs } from 'node:util';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

type OptionTable = Record<string, { type: 'string' | 'boolean' }>;

/**
 * Parses `args`: `valued` options take a value (`--out F` or `--out=F`; the
 * last one given counts), `flags` take none. Anything else starting with `--`
 * is an error naming it.
 */
export function parseArgs(
  args: readonly string[],
  valued: readonly string[],
  flags: readonly string[],
): ParsedArgs {
  const table: OptionTable = {};
  for (const name of valued) table[name] = { type: 'string' };
  for (const name of flags) table[name] = { type: 'boolean' };
  let parsed: ReturnType<typeof nodeParseArgs<{ options: OptionTable; allowPositionals: true }>>;
  try {
    parsed = nodeParseArgs({
      args: [...args],
      options: table,
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new Error(argumentError(e, args, valued, flags), { cause: e });
  }
  const options = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') options.set(name, value);
    else if (value === true) options.set(name, true);
  }
  return { positional: parsed.positionals, options };
}

/** Our wording for what Node's parser refused: the option by name, and how to put it right. */
function argumentError(
  e: unknown,
  args: readonly string[],
  valued: readonly string[],
  flags: readonly string[],
): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const named = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? '';
  const name = named.replace(/^-+/, '');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${named || message}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (flags.includes(name)) return `option --${name} takes no value`;
    if (valued.includes(name)) {
      const at = args.findIndex((a) => a === `--${name}`);
      const next = at >= 0 ? args[at + 1] : undefined;
      return next === undefined
        ? `option --${name} needs a value`
        : `option --${name} needs a value; for a value that starts with '-', write --${name}=${next}`;
    }
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument: ${message}`;
  return message;
}
