import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run core from its TypeScript sources: the `@samfire/source` export
// condition (core/package.json) maps `@samfire/core/*` to core/src, for
// Vite's resolver (tests run in its server environment) and for Node's own
// (modules Vite leaves to Node, and the workers and child processes the tests
// start, which inherit the test process's execArgv).
const SOURCE_CONDITION = '@samfire/source';

export default defineConfig({
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    execArgv: [`--conditions=${SOURCE_CONDITION}`],
  },
});
