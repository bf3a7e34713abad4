/**
 * Bruker's XML headers as a plain tree, for a signal's `original_metadata`,
 * in the shape HyperSpy gives it (so a file saved from here or from
 * HyperSpy holds the same tree): a leaf element becomes its value, parsed
 * as Python's int() and float() would parse it (Bruker writes decimal commas
 * in some files: '8,45761' is 8.45761; a comma-separated list becomes an
 * array; 'True'/'False' become booleans; an empty element is null); an
 * element with children or attributes becomes an object; a repeated tag
 * becomes an array; a ClassInstance's Type and Name attributes become
 * XmlClassType and XmlClassName. Worked out from the files and HyperSpy's
 * results on them (30x30_original_metadata.json is HyperSpy's own
 * reference), not from its code.
 */
import type { XmlElement } from '../xml.js';

const INT = /^[+-]?\d(?:_?\d)*$/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS})(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

function pythonFloat(t: string): number | undefined {
  if (FLOAT.test(t)) return Number(t.replaceAll('_', ''));
  const m = SPECIAL.exec(t);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/** A header value as HyperSpy reads it (see the file comment). */
export function headerValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return null;
  if (INT.test(t)) return Number(t.replaceAll('_', ''));
  const f = pythonFloat(t);
  if (f !== undefined) return f;
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t.includes(',')) {
    const decimalComma = pythonFloat(t.replace(',', '.'));
    if (decimalComma !== undefined && t.indexOf(',') === t.lastIndexOf(',')) return decimalComma;
    // A list of numbers ('0.07,0.0058,...,0,'); other comma-separated text ('Dec,Fix') stays text.
    const items = t
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(headerValue);
    if (items.every((v) => typeof v === 'number')) return items;
  }
  return t;
}

/** A header value that must be a number, or undefined. */
export function headerNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = headerValue(text);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface TreeOptions {
  /** Values to use instead of converting these elements (DetLayers, decoded beforehand). */
  replace?: ReadonlyMap<XmlElement, unknown>;
  /** Tags left out. */
  skip?: ReadonlySet<string>;
}

function valueOf(el: XmlElement, options: TreeOptions): unknown {
  const replaced = options.replace?.get(el);
  if (replaced !== undefined) return replaced;
  if (el.children.length === 0 && Object.keys(el.attributes).length === 0) {
    return headerValue(el.text);
  }
  return elementTree(el, options);
}

/** An element with children or attributes as an object (see the file comment). */
export function elementTree(el: XmlElement, options: TreeOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const repeated = new Set<string>();
  const isClass = el.name === 'ClassInstance';
  for (const [k, v] of Object.entries(el.attributes)) {
    if (isClass && (k === 'Type' || k === 'Name')) continue;
    out[k] = headerValue(v);
  }
  for (const c of el.children) {
    if (options.skip?.has(c.name)) continue;
    const v = valueOf(c, options);
    if (!Object.prototype.hasOwnProperty.call(out, c.name)) out[c.name] = v;
    else if (repeated.has(c.name)) (out[c.name] as unknown[]).push(v);
    else {
      out[c.name] = [out[c.name], v];
      repeated.add(c.name);
    }
  }
  if (isClass) {
    if (el.attributes['Type'] !== undefined) out['XmlClassType'] = el.attributes['Type'];
    if (el.attributes['Name'] !== undefined) out['XmlClassName'] = el.attributes['Name'];
  }
  return out;
}

/** Children of a list of class instances, merged key by key into arrays (HyperSpy's element lists). */
export function mergedTrees(items: readonly XmlElement[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const item of items) {
    for (const [k, v] of Object.entries(elementTree(item))) (out[k] ??= []).push(v);
  }
  return out;
}
