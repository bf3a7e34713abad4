/**
 * @doyensec/electronegativity on electron/ reports no finding (the security
 * checklist, checked statically). It tries to fetch Electron's release list
 * and carries on without it offline; `-e` names the version we ship.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('electronegativity', () => {
  it('finds nothing in electron/', () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'eneg-')), 'findings.csv');
    execFileSync(
      join(ROOT, 'node_modules/.bin/electronegativity'),
      ['-i', join(ROOT, 'electron'), '-r', '-e', '45.4.1', '-v', 'false', '-o', csv],
      { cwd: ROOT, stdio: 'pipe', timeout: 120_000 },
    );
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    expect(rows).toEqual([]);
  }, 150_000);
});
