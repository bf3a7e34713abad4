/**
 * Where ../shared is, in a module with no package import, so the benchmark's
 * compiled runner (which cannot resolve `@samfire/core` to its sources) can
 * use it too.
 */
import { fileURLToPath } from 'node:url';

/** ../shared beside the repository; SAMFIRE_SHARED overrides it (the benchmark's compiled runner lives elsewhere). */
export const SHARED = process.env['SAMFIRE_SHARED']
  ? `${process.env['SAMFIRE_SHARED'].replace(/\/+$/, '')}/`
  : fileURLToPath(new URL('../../../shared/', import.meta.url));
