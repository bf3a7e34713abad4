/**
 * Builds the three parts of the desktop app into out/:
 * - main: the main process, plus the two utility-process entries (the
 *   service host and the fit worker) with core bundled in;
 * - preload: one CommonJS file (a sandboxed preload cannot load modules);
 * - renderer: the Svelte UI (also served by browser mode).
 *
 * Every part bundles core from its TypeScript sources: the `@samfire/source`
 * export condition (core/package.json) maps `@samfire/core/*` to core/src, so
 * the app builds without `npm run build` of core. Main and preload are
 * Vite server (SSR) builds, the renderer a client build; each keeps the
 * conditions it would have had beside ours.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { defaultClientConditions, defaultServerConditions } from 'vite';

const root = import.meta.dirname;
const SOURCE_CONDITION = '@samfire/source';
const serverResolve = { conditions: [SOURCE_CONDITION, ...defaultServerConditions] };
// electron-vite's preset resolves a preload like a browser bundle.
const browserResolve = { conditions: [SOURCE_CONDITION, ...defaultClientConditions] };

export default defineConfig({
  main: {
    ssr: { resolve: serverResolve },
    build: {
      outDir: 'out/main',
      sourcemap: false,
      rollupOptions: {
        input: {
          main: resolve(root, 'electron/main/main.ts'),
          'host-entry': resolve(root, 'electron/workers/host-entry.ts'),
          'fit-worker': resolve(root, 'electron/workers/fit-worker.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    ssr: { resolve: browserResolve },
    build: {
      outDir: 'out/preload',
      sourcemap: false,
      rollupOptions: {
        input: { preload: resolve(root, 'electron/preload/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte()],
    resolve: browserResolve,
    build: {
      outDir: resolve(root, 'out/renderer'),
      sourcemap: false,
      // No inline <script> or data: modules: the CSP allows only 'self'.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
