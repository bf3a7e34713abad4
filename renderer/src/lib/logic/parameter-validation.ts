/**
 * The parameter table's checks, before anything is sent: each typed field
 * parses, a value has as many numbers as the parameter, bounds are in order
 * and the value lies within them. Messages name the parameter and say what
 * to do, ready for the table and the error banner.
 */
import type { ParameterEdit, ParameterState } from '@samfire/core/api';
import { parseBound, parseNumber, parseNumberList } from './parse.js';

export type ParameterField = 'value' | 'bmin' | 'bmax';

/** What the user typed into a row (fields not typed are absent). */
export type ParameterDraft = Partial<Record<ParameterField, string>>;

export interface FieldError {
  field: ParameterField;
  message: string;
}

export interface ParameterCheck {
  /** The edit to send (null when nothing changed or something is wrong). */
  edit: ParameterEdit | null;
  errors: FieldError[];
}

type Row = Pick<ParameterState, 'fullName' | 'values' | 'bmin' | 'bmax'>;

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** Checks a draft against the row it edits; returns the edit to send or the errors. */
export function checkParameterDraft(row: Row, draft: ParameterDraft): ParameterCheck {
  const name = row.fullName;
  const errors: FieldError[] = [];
  let values: number[] = row.values;
  let bmin = row.bmin;
  let bmax = row.bmax;

  if (draft.value !== undefined) {
    const n = row.values.length;
    const parsed = n > 1 ? parseNumberList(draft.value) : parseNumber(draft.value);
    if (!parsed.ok) errors.push({ field: 'value', message: `${name}: ${parsed.message}` });
    else {
      const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      if (list.length !== n) {
        errors.push({
          field: 'value',
          message: `${name}: expected ${n} numbers separated by commas, got ${list.length}`,
        });
      } else values = list;
    }
  }
  for (const field of ['bmin', 'bmax'] as const) {
    const text = draft[field];
    if (text === undefined) continue;
    const parsed = parseBound(text);
    if (!parsed.ok) {
      errors.push({ field, message: `${name} ${field}: ${parsed.message} (leave blank for none)` });
    } else if (field === 'bmin') bmin = parsed.value;
    else bmax = parsed.value;
  }
  if (errors.length > 0) return { edit: null, errors };

  if (bmin !== null && bmax !== null && bmin > bmax) {
    const field: ParameterField = draft.bmax !== undefined ? 'bmax' : 'bmin';
    errors.push({
      field,
      message: `${name}: bmin ${bmin} is above bmax ${bmax}; lower bmin or raise bmax`,
    });
  }
  // Only a value or bound the user touched can be out of bounds "because of" this edit.
  const touched = draft.value !== undefined || draft.bmin !== undefined || draft.bmax !== undefined;
  if (errors.length === 0 && touched) {
    const field: ParameterField =
      draft.value !== undefined ? 'value' : draft.bmin !== undefined ? 'bmin' : 'bmax';
    const low = bmin === null ? undefined : values.find((v) => v < bmin!);
    const high = bmax === null ? undefined : values.find((v) => v > bmax!);
    if (low !== undefined) {
      errors.push({
        field,
        message: `${name}: value ${low} is below bmin ${bmin}; type a larger value or lower bmin`,
      });
    } else if (high !== undefined) {
      errors.push({
        field,
        message: `${name}: value ${high} is above bmax ${bmax}; type a smaller value or raise bmax`,
      });
    }
  }
  if (errors.length > 0) return { edit: null, errors };

  const edit: ParameterEdit = { parameter: name };
  if (draft.value !== undefined && !sameNumbers(values, row.values))
    edit.value = values.length === 1 ? values[0]! : values;
  if (draft.bmin !== undefined && bmin !== row.bmin) edit.bmin = bmin;
  if (draft.bmax !== undefined && bmax !== row.bmax) edit.bmax = bmax;
  return { edit: Object.keys(edit).length > 1 ? edit : null, errors: [] };
}

/** How one value of a multi-valued parameter is named in the table and in messages: "p.coefficients[1]". */
export function elementName(fullName: string, index: number): string {
  return `${fullName}[${index}]`;
}

/**
 * Checks the value typed for one element of a multi-valued parameter (a
 * Polynomial's coefficient); the edit sends the whole list with that one
 * replaced. The parameter's bounds apply to every element.
 */
export function checkElementDraft(row: Row, index: number, text: string): ParameterCheck {
  const name = elementName(row.fullName, index);
  const parsed = parseNumber(text);
  if (!parsed.ok)
    return { edit: null, errors: [{ field: 'value', message: `${name}: ${parsed.message}` }] };
  const v = parsed.value;
  if (row.bmin !== null && v < row.bmin)
    return {
      edit: null,
      errors: [
        {
          field: 'value',
          message: `${name}: value ${v} is below bmin ${row.bmin}; type a larger value or lower bmin`,
        },
      ],
    };
  if (row.bmax !== null && v > row.bmax)
    return {
      edit: null,
      errors: [
        {
          field: 'value',
          message: `${name}: value ${v} is above bmax ${row.bmax}; type a smaller value or raise bmax`,
        },
      ],
    };
  if (Object.is(row.values[index], v)) return { edit: null, errors: [] };
  const values = [...row.values];
  values[index] = v;
  return { edit: { parameter: row.fullName, value: values }, errors: [] };
}

/** A component name as typed: trimmed, a valid identifier, not taken by another component. */
export function checkComponentName(
  name: string,
  taken: readonly string[],
  current: string | null = null,
): string | null {
  const n = name.trim();
  if (n === '') return 'type a name for the component';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))
    return `'${n}': use letters, digits and _ only, starting with a letter`;
  if (n !== current && taken.includes(n)) return `there is already a component named '${n}'`;
  return null;
}
