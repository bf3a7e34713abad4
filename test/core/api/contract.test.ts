/**
 * One declaration per method (core/src/api/contract.ts): the allowlists, the
 * guards and the types all come from it.
 */
import { describe, expect, it } from 'vitest';
import {
  apiEvents,
  apiGuards,
  apiMethods,
  guardFor,
  hostContract,
  hostGuards,
  hostMethods,
  samfireContract,
} from '@samfire/core/api';
import type { ArgOf } from '@samfire/core/api';

describe('the contract', () => {
  it('gives the allowlists: every call and event of every table, nothing else', () => {
    for (const [service, table] of Object.entries(samfireContract)) {
      const entries = Object.entries(table as Record<string, { kind: string }>);
      expect([...apiMethods[service as keyof typeof apiMethods]].sort()).toEqual(
        entries
          .filter(([, e]) => e.kind === 'call')
          .map(([k]) => k)
          .sort(),
      );
      expect([...apiEvents[service as keyof typeof apiEvents]].sort()).toEqual(
        entries
          .filter(([, e]) => e.kind === 'event')
          .map(([k]) => k)
          .sort(),
      );
    }
    for (const [service, table] of Object.entries(hostContract)) {
      expect([...hostMethods[service as keyof typeof hostMethods]].sort()).toEqual(
        Object.entries(table as Record<string, { kind: string }>)
          .filter(([, e]) => e.kind === 'call')
          .map(([k]) => k)
          .sort(),
      );
    }
  });

  it('gives every call a guard that names the method when it refuses', () => {
    for (const [table, methods] of [
      [apiGuards, apiMethods],
      [hostGuards, hostMethods],
    ] as const) {
      for (const [service, names] of Object.entries(methods)) {
        for (const method of names as readonly string[]) {
          const guard = guardFor(table, service, method)!;
          expect(guard, `${service}.${method}`).toBeTypeOf('function');
          expect(() => guard({ unexpectedField: 1 })).toThrow(
            new RegExp(`^${service}\\.${method}(\\.\\w+)?: `),
          );
        }
      }
    }
  });

  it('types a request from its schema', () => {
    const ok: ArgOf<'fit', 'fitPixel'> = { pixel: 3, seed: true };
    // @ts-expect-error: a field the schema does not declare is a compile error too
    const extra: ArgOf<'fit', 'fitPixel'> = { pixel: 3, seed: true, force: true };
    expect(apiGuards.fit.fitPixel(ok)).toEqual(ok);
    expect(() => apiGuards.fit.fitPixel(extra)).toThrow("fit.fitPixel: unexpected field 'force'");
  });
});
