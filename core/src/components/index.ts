/**
 * The component registry: the generic kinds by HyperSpy's `_id_name`, and
 * registration so that users of the package can add their own kinds. The
 * EDS and EELS kinds, which build on these, register themselves from
 * kinds/index.ts (above them all), which every entry point loads.
 */
import { Registry } from '../util/registry.js';
import type { ComponentFunction } from './component.js';
import { exponential } from './exponential.js';
import { expression } from './expression.js';
import { gaussian } from './gaussian.js';
import { lorentzian } from './lorentzian.js';
import { offset } from './offset.js';
import { polynomial } from './polynomial.js';
import { powerLaw } from './power-law.js';
import { pseudoVoigt } from './pseudo-voigt.js';

export type ComponentFactory = (options: Readonly<Record<string, unknown>>) => ComponentFunction;

const registry = new Registry<ComponentFactory>('component kind');

function numberOption(options: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number')
    throw new Error(`component option '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

registry.set('Gaussian', () => gaussian());
registry.set('Lorentzian', () => lorentzian());
registry.set('PseudoVoigt', () => pseudoVoigt());
registry.set('Offset', () => offset());
registry.set('Exponential', () => exponential());
registry.set('PowerLaw', () => powerLaw());
registry.set('Polynomial', (o) => {
  const order = numberOption(o, 'order');
  return polynomial(order === undefined ? {} : { order });
});
registry.set('Expression', (o) => {
  const text = o['expression'];
  if (typeof text !== 'string') throw new Error("component option 'expression' must be a string");
  const parameters = o['parameters'];
  if (
    parameters !== undefined &&
    !(Array.isArray(parameters) && parameters.every((p) => typeof p === 'string'))
  ) {
    throw new Error("component option 'parameters' must be a list of names");
  }
  return expression(
    parameters === undefined
      ? { expression: text }
      : { expression: text, parameters: parameters as string[] },
  );
});

/** Kinds known to this build, in registration order. */
export function componentKinds(): string[] {
  return registry.kinds();
}

/** Adds a component kind (a user's own). Refuses to replace a built-in silently. */
export function registerComponentKind(
  kind: string,
  factory: ComponentFactory,
  replace = false,
): void {
  registry.register(kind, factory, replace);
}

/** Creates a component function of a registered kind; errors name the kind. */
export function createComponentFunction(
  kind: string,
  options: Readonly<Record<string, unknown>> = {},
): ComponentFunction {
  return registry.get(kind)(options);
}

export type { ComponentFunction, ParameterSpec } from './component.js';
export { exponential, expression, gaussian, lorentzian, offset, polynomial, powerLaw, pseudoVoigt };
