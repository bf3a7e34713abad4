/** The commands' option parsing: values, flags, positionals, and errors naming the option. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../core/src/cli/args.js';

const VALUED = ['out', 'range', 'tolerance'];
const FLAGS = ['json', 'refine'];
const parse = (...args: string[]) => parseArgs(args, VALUED, FLAGS);

describe('parseArgs', () => {
  it('reads values both ways, flags and positionals in any order', () => {
    const { positional, options } = parse('in.hspy', '--out', 'o.hspy', '--json', '--range=1,4.9');
    expect(positional).toEqual(['in.hspy']);
    expect([...options]).toEqual([
      ['out', 'o.hspy'],
      ['json', true],
      ['range', '1,4.9'],
    ]);
  });

  it('takes the last of a repeated option, and a value starting with - after =', () => {
    expect(parse('--tolerance', '1', '--tolerance', '2').options.get('tolerance')).toBe('2');
    expect(parse('--range=-0.5,4').options.get('range')).toBe('-0.5,4');
    expect(parse('--', '--not-an-option').positional).toEqual(['--not-an-option']);
  });

  it('names the option in every error', () => {
    expect(() => parse('--frobnicate')).toThrow(/^unknown option --frobnicate$/);
    expect(() => parse('-x')).toThrow(/^unknown option -x$/);
    expect(() => parse('a', '--out')).toThrow(/^option --out needs a value$/);
    expect(() => parse('--out', '--json')).toThrow(
      /^option --out needs a value; for a value that starts with '-', write --out=--json$/,
    );
    expect(() => parse('--range', '-0.5,4')).toThrow(/write --range=-0.5,4/);
    expect(() => parse('--json=yes')).toThrow(/^option --json takes no value$/);
  });
});
