/** Which paths name the same file, for refusing to write over a command's input. */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDistinct, sameFile } from '../../../core/src/cli/same-file.js';

const dir = mkdtempSync(join(tmpdir(), 'samfire-same-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'in.hspy');
writeFileSync(input, 'data');
mkdirSync(join(dir, 'sub'));
symlinkSync(input, join(dir, 'link.hspy'));
symlinkSync(dir, join(dir, 'alias'));
linkSync(input, join(dir, 'hard.hspy'));

describe('sameFile', () => {
  it('sees through spellings, symlinks and hard links', async () => {
    for (const other of [
      input,
      `${dir}/./in.hspy`,
      `${dir}/sub/../in.hspy`,
      relative(process.cwd(), input),
      join(dir, 'link.hspy'),
      join(dir, 'alias', 'in.hspy'),
      join(dir, 'hard.hspy'),
    ])
      expect(await sameFile(input, other), other).toBe(true);
  });

  it('tells different files apart, existing or not', async () => {
    expect(await sameFile(input, join(dir, 'out.hspy'))).toBe(false);
    expect(await sameFile(join(dir, 'a.json'), join(dir, 'alias', 'a.json'))).toBe(true);
    expect(await sameFile(join(dir, 'a.json'), join(dir, 'b.json'))).toBe(false);
  });
});

describe('checkDistinct', () => {
  it('names both options, skipping the ones not given', async () => {
    await expect(
      checkDistinct([
        ['the input', input],
        ['--out', join(dir, 'out.hspy')],
        ['--summary', null],
        ['--backup', join(dir, 'link.hspy')],
      ]),
    ).rejects.toThrow(
      `--backup ${join(dir, 'link.hspy')} is the same file as the input ${input}: choose another name (nothing was written)`,
    );
    await expect(
      checkDistinct([
        ['the input', input],
        ['--out', join(dir, 'out.hspy')],
      ]),
    ).resolves.toBeUndefined();
  });
});
