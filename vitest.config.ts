import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run core from its TypeScript sources: the `@samfire/source` export
// condition (core/package.json) maps `@samfire/core/*` to core/src, for
// Vite's resolver (tests run in its server environment) and for Node's own
// (modules Vite leaves to Node, and the workers and child processes the tests
// start, which inherit the test process's execArgv).
const SOURCE_CONDITION = '@samfire/source';
const execArgv = [`--conditions=${SOURCE_CONDITION}`];
const STATE_TESTS = 'test/renderer/state/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [STATE_TESTS], execArgv },
      },
      {
        // The renderer's stores (runes in .svelte.ts): compiled by Svelte for the
        // client, as the app runs them, and tested in Node each on its own.
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
        ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] } },
        test: { name: 'renderer-state', include: [STATE_TESTS], execArgv },
      },
    ],
  },
});
