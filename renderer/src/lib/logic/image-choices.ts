/** The maps a model offers: sum, fit statistics, every parameter (values and std), on/off maps. */
import type { ElectronImageInfo, ImageRequest, ModelState } from '@samfire/core/api';

export interface ImageChoice {
  key: string;
  label: string;
  group: 'Data' | 'Fit' | 'Parameters' | 'Standard deviations' | 'On/off';
  request: ImageRequest;
}

export function requestKey(r: ImageRequest): string {
  switch (r.kind) {
    case 'parameter':
      return `parameter:${r.parameter}:${r.index ?? 0}:${r.field ?? 'values'}`;
    case 'active':
      return `active:${r.component}`;
    case 'image':
      return `image:${r.index}`;
    default:
      return r.kind;
  }
}

export interface ChoiceOptions {
  /** Offer the summed intensity (the navigator does; results do not). @default true */
  sum?: boolean;
  /** Offer the marker and the seeds. @default true */
  run?: boolean;
  /** The electron images that came with the map (HAADF, SE ...), offered beside the sum. */
  images?: readonly ElectronImageInfo[];
}

export function imageChoices(model: ModelState | null, options: ChoiceOptions = {}): ImageChoice[] {
  const out: ImageChoice[] = [];
  const add = (group: ImageChoice['group'], label: string, request: ImageRequest): void => {
    out.push({ key: requestKey(request), label, group, request });
  };
  if (options.sum ?? true) add('Data', 'Sum', { kind: 'sum' });
  for (const image of options.images ?? [])
    add('Data', `${image.title} (electron image)`, { kind: 'image', index: image.index });
  add('Fit', 'Reduced χ²', { kind: 'redChisq' });
  if (options.run ?? true) {
    add('Fit', 'Marker', { kind: 'marker' });
    add('Fit', 'Seeds', { kind: 'seeds' });
  }
  const params = (model?.components ?? []).flatMap((c) => c.parameters);
  for (const field of ['values', 'std'] as const) {
    for (const p of params) {
      const n = p.values.length;
      for (let j = 0; j < n; j++) {
        const name = n > 1 ? `${p.fullName}[${j}]` : p.fullName;
        add(
          field === 'values' ? 'Parameters' : 'Standard deviations',
          field === 'values' ? name : `${name} std`,
          {
            kind: 'parameter',
            parameter: p.fullName,
            ...(n > 1 ? { index: j } : {}),
            ...(field === 'std' ? { field } : {}),
          },
        );
      }
    }
  }
  for (const c of model?.components ?? [])
    if (c.optional) add('On/off', `${c.name} on/off`, { kind: 'active', component: c.name });
  return out;
}

/** Choices by group, in order (for <optgroup>). */
export function groupChoices(choices: readonly ImageChoice[]): [string, ImageChoice[]][] {
  const groups = new Map<string, ImageChoice[]>();
  for (const c of choices) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return [...groups];
}
