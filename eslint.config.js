// Lint rules per layer (see ../shared/docs/style.md, section 1): core is pure
// TypeScript, so it may not import Electron, Node built-ins (outside */node/)
// or anything from the DOM-side layers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out/**',
      'coverage/**',
      'test-results/**',
      'bench-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // Svelte components: TypeScript in <script lang="ts">, browser globals, and
    // the same import limits as the renderer's .ts files (below).
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/src/**/*.ts'],
    ignores: ['core/src/**/node/**', 'core/src/cli/**', 'core/src/bench/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'svelte', 'svelte/*', 'echarts', 'echarts/*'],
              message: 'core is pure: no UI or Electron imports.',
            },
            {
              group: nodeBuiltins,
              message: 'Node APIs belong under core/src/**/node/ (or the CLI).',
            },
            {
              group: ['**/node/*', '**/cli/*'],
              message: 'pure core modules may not import Node-only core modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer is a sandboxed web page: it reaches Electron and Node only
    // through window.samfire, and from core only the api contract.
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'the renderer reaches Electron only through window.samfire.',
            },
            {
              group: [...nodeBuiltins, 'ws'],
              message: 'the renderer runs in a sandboxed page: no Node APIs.',
            },
            {
              group: ['**/core/src/**'],
              message: "import core through its entry point '@samfire/core/api', never by path.",
            },
            {
              regex: '^@samfire/core/(?!api$)',
              message: "the renderer imports from core only '@samfire/core/api'.",
            },
            {
              regex: '^@samfire/core$',
              allowTypeImports: true,
              message: "the renderer imports from core only '@samfire/core/api' (and pure types).",
            },
          ],
        },
      ],
    },
  },
  {
    // A sandboxed preload has no Node APIs; it is bundled with the api contract only.
    files: ['electron/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'a sandboxed preload has no Node APIs.' },
            {
              group: ['**/core/src/**'],
              message: "import core through its entry point '@samfire/core/api', never by path.",
            },
            {
              regex: '^@samfire/core(?!/api$)',
              message: "the preload imports from core only '@samfire/core/api'.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/*.ts', 'electron/main/**/*.ts', 'electron/workers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', 'svelte', 'svelte/*', 'echarts', 'echarts/*'],
              message: 'main and workers never load UI code.',
            },
            {
              group: ['**/core/src/**'],
              message:
                "import core through its entry points ('@samfire/core', '/api', '/host', '/node').",
            },
          ],
        },
      ],
    },
  },
);
