/**
 * Browser mode's opening by path (core/src/host/node/folder-access.ts and the
 * shell API): only inside the folders the user chose. Every path is checked
 * as text (absolute, no '..', no control characters), resolved with
 * realpath, and must stay inside a chosen folder; symlinks that lead out and
 * absolute paths elsewhere are refused with a message. A property test
 * throws nasty paths at it: each is either refused with a FolderAccessError
 * or resolves to a real path inside the folder, never anything else. The
 * folders and the recent list are remembered in the settings file.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../helpers/reference.js';
import { parseBrowserArgs } from '../../../core/src/host/node/browser-main.js';
import { startBrowserServer } from '@samfire/core/node';
import {
  FolderAccess,
  FolderAccessError,
  checkPathText,
  isInside,
  resolveInside,
} from '../../../core/src/host/node/folder-access.js';
import { readableExtensions } from '@samfire/core/node';

const MSA = join(SHARED, 'data/io/msa/example1.msa');
// realpath: the temp folder may itself sit behind a symlink.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'samfire-folders-')));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');

beforeAll(() => {
  mkdirSync(join(allowed, 'sub'), { recursive: true });
  mkdirSync(join(outside, 'deeper'), { recursive: true });
  copyFileSync(MSA, join(allowed, 'a.msa'));
  copyFileSync(MSA, join(allowed, 'sub', 'b.msa'));
  copyFileSync(MSA, join(allowed, '.hidden.msa'));
  writeFileSync(join(allowed, 'notes.txt'), 'not a spectrum');
  copyFileSync(MSA, join(outside, 'secret.msa'));
  // Symlinks out of the folder (a file and a folder) and one that stays inside.
  symlinkSync(join(outside, 'secret.msa'), join(allowed, 'link-out.msa'));
  symlinkSync(outside, join(allowed, 'dirlink-out'));
  symlinkSync(join(allowed, 'sub', 'b.msa'), join(allowed, 'link-in.msa'));
  // A folder whose name looks like an encoded '..'.
  mkdirSync(join(allowed, '%2e%2e'));
});

const refused = async (p: unknown, pattern: RegExp): Promise<void> => {
  const e = await resolveInside(p, [allowed]).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected ${JSON.stringify(p)} to be refused`).toBeInstanceOf(FolderAccessError);
  expect((e as Error).message).toMatch(pattern);
};

describe('the path policy', () => {
  it('accepts files and folders inside a chosen folder, as their real paths', async () => {
    await expect(resolveInside(join(allowed, 'a.msa'), [allowed])).resolves.toBe(
      join(allowed, 'a.msa'),
    );
    await expect(resolveInside(`${allowed}//sub/./b.msa`, [allowed])).resolves.toBe(
      join(allowed, 'sub', 'b.msa'),
    );
    await expect(resolveInside(join(allowed, 'link-in.msa'), [allowed])).resolves.toBe(
      join(allowed, 'sub', 'b.msa'),
    );
    await expect(resolveInside(allowed, [allowed])).resolves.toBe(allowed);
    // An encoded '..' is a name like any other: here a real folder inside.
    await expect(resolveInside(join(allowed, '%2e%2e'), [allowed])).resolves.toBe(
      join(allowed, '%2e%2e'),
    );
  });

  it('refuses .., symlinks out, absolute paths elsewhere, relative paths and control characters', async () => {
    await refused(`${allowed}/sub/../a.msa`, /may not go up with '\.\.'/);
    await refused(`${allowed}/../outside/secret.msa`, /may not go up/);
    await refused(`${allowed}\\..\\outside`, /may not go up/);
    await refused(join(allowed, 'link-out.msa'), /outside the folders .*leads to .*secret\.msa/);
    await refused(join(allowed, 'dirlink-out', 'secret.msa'), /outside the folders/);
    await refused(join(outside, 'secret.msa'), /outside the folders open to the browser/);
    await refused('/etc/passwd', /outside the folders/);
    await refused('a.msa', /give the full path/);
    await refused(`${allowed}/a.msa\u0000.txt`, /control characters/);
    await refused(join(allowed, '%2e%2e%2f..%2fsecret.msa'), /does not exist/);
    await refused(join(allowed, 'missing.msa'), /does not exist/);
    await refused('', /non-empty/);
    await refused(42, /non-empty text/);
    await refused(`/${'x'.repeat(5000)}`, /longer than 4096/);
    await expect(resolveInside(join(allowed, 'a.msa'), [])).rejects.toThrow(/no folder is open/);
  });

  it('says inside only for the folder itself and what is under it (not a sibling with the same prefix)', () => {
    expect(isInside('/data/maps', '/data/maps')).toBe(true);
    expect(isInside('/data/maps/a.msa', '/data/maps')).toBe(true);
    expect(isInside('/data/maps-old/a.msa', '/data/maps')).toBe(false);
    expect(isInside('/data', '/data/maps')).toBe(false);
  });

  it('never lets a nasty path out: refused with a clear error, or a real path inside', async () => {
    const segments = [
      '..',
      '.',
      '',
      'sub',
      'a.msa',
      'b.msa',
      '%2e%2e',
      '%2e%2e%2f',
      '..%2f',
      '%252e%252e',
      '..\\..',
      'link-out.msa',
      'link-in.msa',
      'dirlink-out',
      'secret.msa',
      'outside',
      'allowed',
      '\u0000',
      '\u202e',
      '…',
      '~',
      '$HOME',
    ];
    const prefixes = [allowed, root, outside, '/', '', `${allowed}/`, 'allowed', '//', '\\\\'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.array(fc.constantFrom(...segments), { maxLength: 6 }),
        fc.constantFrom('/', '\\', '//'),
        async (prefix, parts, joiner) => {
          const path = [prefix, ...parts].join(joiner);
          let out: string | null = null;
          try {
            out = await resolveInside(path, [allowed]);
          } catch (e) {
            expect(e, `${JSON.stringify(path)}: ${String(e)}`).toBeInstanceOf(FolderAccessError);
            expect((e as Error).message.length).toBeGreaterThan(10);
            return;
          }
          // Accepted: really inside, judged here without the code under test.
          expect(out === allowed || out.startsWith(allowed + sep), path).toBe(true);
          expect(realpathSync(out)).toBe(out);
        },
      ),
      { numRuns: 600, seed: 1216 },
    );
  });

  it('checks the text before the file system is asked', () => {
    expect(checkPathText('/x/y')).toBe('/x/y');
    expect(() => checkPathText('/x/../y')).toThrow(FolderAccessError);
  });
});

describe('the chosen folders', () => {
  const extensions = readableExtensions();

  it('lists sub-folders and readable files only, none that lead out', async () => {
    const access = await FolderAccess.open({ settingsFile: null, folders: [allowed], extensions });
    const top = await access.list(null);
    expect(top.entries.map((e) => e.path)).toEqual([allowed]);
    const listing = await access.list(allowed);
    expect(listing.parent).toBeNull();
    expect(listing.entries.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'folder:%2e%2e',
      'folder:sub',
      'file:a.msa',
      'file:link-in.msa',
    ]);
    expect(listing.entries.find((e) => e.name === 'a.msa')!.bytes).toBeGreaterThan(100);
    const sub = await access.list(join(allowed, 'sub'));
    expect(sub.parent).toBe(allowed);
    await expect(access.list(join(allowed, 'dirlink-out'))).rejects.toThrow(/outside the folders/);
  });

  it('opens readable files only', async () => {
    const access = await FolderAccess.open({ settingsFile: null, folders: [allowed], extensions });
    await expect(access.file(join(allowed, 'a.msa'))).resolves.toBe(join(allowed, 'a.msa'));
    await expect(access.file(join(allowed, 'notes.txt'))).rejects.toThrow(
      /'notes.txt' is not a file SAMFire Studio reads/,
    );
    await expect(access.file(join(allowed, 'sub'))).rejects.toThrow(/is not a file/);
  });

  it('refuses as a folder a file, the root of the file system, or a missing path', async () => {
    const access = await FolderAccess.open({ settingsFile: null, extensions });
    await expect(access.add(join(allowed, 'a.msa'))).rejects.toThrow(/is not a folder/);
    await expect(access.add('/')).rejects.toThrow(/whole file system/);
    await expect(access.add(join(root, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(
      FolderAccess.open({ settingsFile: null, folders: ['relative/dir'], extensions }),
    ).rejects.toThrow(/give the full path/);
  });

  it('remembers the folders and the recent files in the settings file', async () => {
    const settingsFile = join(root, 'config', 'browser-settings.json');
    const a = await FolderAccess.open({ settingsFile, extensions });
    await a.add(allowed);
    await a.setRecent([join(allowed, 'a.msa')]);
    expect(JSON.parse(readFileSync(settingsFile, 'utf8'))).toEqual({
      folders: [allowed],
      recent: [join(allowed, 'a.msa')],
    });
    const b = await FolderAccess.open({ settingsFile, extensions });
    expect(b.folders).toEqual([allowed]);
    expect(b.recent).toEqual([join(allowed, 'a.msa')]);
    // A damaged file starts empty instead of failing.
    writeFileSync(settingsFile, '{ not json');
    expect((await FolderAccess.open({ settingsFile, extensions })).folders).toEqual([]);
  });
});

describe('the browser-mode API', () => {
  it('opens a file by path, lists it as recent, reopens it from Recent after a restart', async () => {
    const app = mkdtempSync(join(tmpdir(), 'samfire-static-'));
    writeFileSync(join(app, 'index.html'), '<!doctype html><title>t</title>');
    const settingsFile = join(root, 'api-settings.json');
    let server = await startBrowserServer({ rendererDir: app, folders: [allowed], settingsFile });
    try {
      expect(await server.api.file.folders()).toEqual({ available: true, folders: [allowed] });
      const r = await server.api.file.openByPath({ path: join(allowed, 'a.msa') });
      expect(r.kind).toBe('opened');
      if (r.kind === 'opened') expect(r.dataset.source.kind).toBe('path');
      expect(await server.api.file.recent()).toEqual([
        { path: join(allowed, 'a.msa'), name: 'a.msa' },
      ]);
      await expect(
        server.api.file.openByPath({ path: join(outside, 'secret.msa') }),
      ).rejects.toThrow(/outside the folders/);
      await expect(server.api.file.browse({ path: outside })).rejects.toThrow(
        /outside the folders/,
      );
    } finally {
      await server.close();
    }
    // A new session, no --folder: the folder and the recent file were remembered.
    server = await startBrowserServer({ rendererDir: app, settingsFile });
    try {
      expect((await server.api.file.folders()).folders).toEqual([allowed]);
      const recent = await server.api.file.recent();
      expect(recent.map((f) => f.name)).toEqual(['a.msa']);
      const again = await server.api.file.openRecent({ path: recent[0]!.path });
      expect(again.kind).toBe('opened');
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('the command line', () => {
  it('takes --folder PATH and --folder=PATH, files, and refuses unknown options', () => {
    const a = parseBrowserArgs(['--folder', '/data/cl', '--folder=/data/eels', 'map.hspy'], {
      XDG_CONFIG_HOME: '/cfg',
    });
    expect(a.folders).toEqual(['/data/cl', '/data/eels']);
    expect(a.files).toEqual(['map.hspy']);
    expect(a.settingsFile).toBe('/cfg/samfire-studio/browser-settings.json');
    expect(parseBrowserArgs(['--settings=', '--port=8123']).settingsFile).toBeNull();
    expect(parseBrowserArgs(['--port', '8123']).port).toBe(8123);
    expect(() => parseBrowserArgs(['--folder'])).toThrow(/--folder: expected a value/);
    expect(() => parseBrowserArgs(['--port=x'])).toThrow(/expected a port number/);
    expect(() => parseBrowserArgs(['--foldr=/x'])).toThrow(/unknown option --foldr/);
  });
});
