/**
 * Packaging, as far as it can be checked offline: build/electron-builder.yml
 * passes electron-builder's own schema and says what the issue asks, and a
 * `--dir` build with a stand-in Electron folder (a fake executable) produces
 * an app.asar holding the built main, preload, renderer and worker entries
 * (core bundled into them), and no sources, tests, source maps or dev
 * dependencies.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, listPackage } from '@electron/asar';
import { Arch, Platform, build } from 'electron-builder';
import type { Configuration } from 'electron-builder';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, 'build/electron-builder.yml');

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    fromOptions: Configuration | null,
  ): Promise<Configuration>;
  validateConfiguration(c: Configuration, logger: unknown): Promise<void>;
}
// electron-builder's own loader and schema check (not re-exported by its index).
const configModule = (await import('app-builder-lib/out/util/config/config.js')) as ConfigModule;
const config = await configModule.getConfig(ROOT, CONFIG, null);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

describe('electron-builder configuration', () => {
  it('passes electron-builder validation', async () => {
    const { DebugLogger } = await import('builder-util');
    await expect(
      configModule.validateConfiguration(config, new DebugLogger(false)),
    ).resolves.toBeUndefined();
  });

  it('builds AppImage and deb, NSIS and dmg with the app id, name, icon and file associations', () => {
    expect(config.appId).toBe('org.samfire.studio');
    expect(config.productName).toBe('SAMFire Studio');
    expect(config.electronVersion).toBe('45.4.1');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toBe('nsis');
    expect(config.mac?.target).toBe('dmg');
    for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) {
      expect(icon).toBe('build/icons/icon.png');
    }
    const png = readFileSync(join(ROOT, 'build/icons/icon.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    const exts = (Array.isArray(config.fileAssociations) ? config.fileAssociations : []).map(
      (a) => a.ext,
    );
    expect(exts).toEqual(['hspy', 'dm3', 'dm4', 'rpl', 'msa']);
  });
});

describe('a --dir build with a stand-in Electron', () => {
  let files: string[] = [];
  let asar = '';

  beforeAll(async () => {
    execFileSync(join(ROOT, 'node_modules/.bin/electron-vite'), ['build'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const fake = mkdtempSync(join(tmpdir(), 'fake-electron-'));
    writeFileSync(join(fake, 'electron'), '#!/bin/sh\necho stand-in electron\n');
    chmodSync(join(fake, 'electron'), 0o755);
    const output = mkdtempSync(join(tmpdir(), 'samfire-dist-'));
    await build({
      projectDir: ROOT,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      config: {
        ...config,
        electronDist: fake,
        directories: { ...config.directories, output },
        npmRebuild: false,
      },
    });
    asar = join(output, 'linux-unpacked/resources/app.asar');
    files = listPackage(asar, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
  }, 240_000);

  it('holds the built main, the utility-process entries, the preload and the renderer', () => {
    expect(existsSync(asar)).toBe(true);
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/out/main/main.js',
        '/out/main/host-entry.js',
        '/out/main/fit-worker.js',
        '/out/preload/preload.cjs',
        '/out/renderer/index.html',
        '/out/renderer/favicon.png',
      ]),
    );
    expect(files.some((f) => /^\/out\/renderer\/assets\/index-.*\.js$/.test(f))).toBe(true);
  });

  it('has core bundled into the host (the fitting code travels inside the app)', () => {
    const main = files.filter((f) => f.startsWith('/out/main/') && f.endsWith('.js'));
    const text = main.map((f) => extractFile(asar, f.slice(1)).toString('utf8')).join('\n');
    expect(text).toContain('SAMFire is already running');
    expect(text).toContain('refused a request from');
  });

  it('points the packaged package.json at the built main', () => {
    const packaged = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as {
      main?: string;
    };
    expect(packaged.main).toBe('out/main/main.js');
  });

  it('leaves out sources, tests, source maps, configs and dev dependencies', () => {
    const bad = files.filter(
      (f) =>
        /\.(ts|map|svelte)$/.test(f) ||
        /^\/(core|electron|renderer|test|build|src)\//.test(f) ||
        /\/(vitest|electron\.vite|eslint|tsconfig)[^/]*$/.test(f),
    );
    expect(bad).toEqual([]);
    const modules = new Set(
      files.filter((f) => /^\/node_modules\/[^/]+$/.test(f)).map((f) => f.split('/')[2]!),
    );
    for (const dev of Object.keys(pkg.devDependencies ?? {}))
      expect(modules.has(dev.split('/')[0]!)).toBe(false);
    expect(modules.has('electron')).toBe(false);
  });
});
