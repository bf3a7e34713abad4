/**
 * Runtime checks for every request payload: `unknown` in, typed out. Whatever
 * arrives over IPC, a WebSocket or a process boundary goes through these
 * before a service sees it; a bad payload is refused with an ApiInputError
 * that names the method and the field, and nothing runs.
 *
 * The guards are made from the schemas of contract.ts, so a method or a field
 * declared there is checked here with no second definition. The checks are
 * about shape and ranges a caller controls (types, finite numbers, non-empty
 * names, sizes). Whether a component or a pixel exists is the service's
 * business: it knows the model.
 */
import { SchemaError } from '../util/schema.js';
import type { Schema } from '../util/schema.js';
import { hostContract, samfireContract } from './contract.js';
import type { ApiOf, CallSpec, ServiceSpec } from './contract.js';
import type { HostApi } from './host-api.js';
import type { MethodMembers, SamfireApi } from './samfire-api.js';
import { imageRequest, settingsPatch } from './schemas.js';
import type { ImageRequest, SamfireSettings } from './types.js';

/** A request refused by its guard; the message names the method and the field. */
export class ApiInputError extends SchemaError {
  constructor(message: string) {
    super(message);
    this.name = 'ApiInputError';
  }
}

/** Checks `x` against `schema`, as an ApiInputError when it fails. */
function guarded<T>(schema: Schema<T>, x: unknown, where: string): T {
  try {
    return schema.check(x, where);
  } catch (e) {
    if (e instanceof SchemaError && !(e instanceof ApiInputError))
      throw new ApiInputError(e.message);
    throw e;
  }
}

/** A navigator image request (also read back from saved project settings). */
export const checkImageRequest = (x: unknown, where: string): ImageRequest =>
  guarded(imageRequest, x, where);

/** A change to some SAMFire settings (also read back from saved project settings). */
export const checkSettingsPatch = (x: unknown, where: string): Partial<SamfireSettings> =>
  guarded(settingsPatch, x, where);

type Guards<Api> = {
  [S in keyof Api]: {
    [M in MethodMembers<Api[S]>]: (
      x: unknown,
    ) => Api[S][M] extends (arg: infer A) => unknown ? A : undefined;
  };
};

/** One guard per call of every service of a contract, named `service.method` in its errors. */
function guardsOf<C extends Record<string, ServiceSpec>>(contract: C): Guards<ApiOf<C>> {
  return Object.fromEntries(
    Object.entries(contract).map(([service, table]) => [
      service,
      Object.fromEntries(
        Object.entries(table)
          .filter(([, spec]) => spec.kind === 'call')
          .map(([method, spec]) => {
            const arg = (spec as CallSpec<unknown, unknown>).arg;
            const where = `${service}.${method}`;
            return [method, (x: unknown) => guarded(arg, x, where)];
          }),
      ),
    ]),
  ) as Guards<ApiOf<C>>;
}

/** Guards for the renderer-facing API (what main and the browser server accept). */
export const apiGuards: Guards<SamfireApi> = guardsOf(samfireContract);

/** Guards for the host's API (what the service host accepts from its shell). */
export const hostGuards: Guards<HostApi> = guardsOf(hostContract);

/** The guard of `service.method` in a guard table, or null when the method is not on it. */
export function guardFor(
  table: Guards<SamfireApi> | Guards<HostApi>,
  service: string,
  method: string,
): ((x: unknown) => unknown) | null {
  if (!Object.hasOwn(table, service)) return null;
  const methods = (table as Record<string, Record<string, (x: unknown) => unknown>>)[service]!;
  return Object.hasOwn(methods, method) ? methods[method]! : null;
}
