/**
 * The EELS edge builder's state: the edges on the axis (the host lists them
 * with their onsets), the element chosen, the microscope (the file's beam
 * energy and collection angle, editable), fine structure on or off, and what
 * the last addition noted. The host adds the edges and starts their values;
 * this only asks.
 */
import type { EelsEdgeChoice, EelsSetup, ModelApi, ModelState } from '@samfire/core/api';
import { parseNumber } from '../logic/parse.js';
import type { Feedback } from './store-deps.js';

/** What the EELS builder needs: the model service's EELS calls and the model store's edits. */
export interface EelsDeps extends Pick<Feedback, 'notify'> {
  model: Pick<ModelApi, 'eelsSetup' | 'addEelsEdges'>;
  /** Runs a model edit with the model store's checks, notices and redraws. */
  runEdit(what: string, edit: () => Promise<ModelState | null>): Promise<boolean>;
}

/** One element of the edge list: its edges on the axis, by onset. */
export interface EelsElementChoice {
  element: string;
  edges: EelsEdgeChoice[];
}

export class EelsStore {
  setup = $state.raw<EelsSetup | null>(null);
  element = $state('');
  beamEnergy = $state('');
  collectionAngle = $state('');
  fineStructure = $state(false);
  adding = $state(false);
  /** Why the form cannot be used as typed, or null. */
  problem = $state<string | null>(null);
  /** What the host noted when it last added edges (assumptions, rough starts). */
  notes = $state.raw<string[]>([]);
  readonly #deps: EelsDeps;

  constructor(deps: EelsDeps) {
    this.#deps = deps;
  }

  /** A new dataset: the edges on its axis and the microscope its metadata gives. */
  async load(): Promise<void> {
    const setup = await this.#deps.model.eelsSetup().catch(() => null);
    this.setup = setup;
    this.problem = null;
    this.notes = [];
    this.beamEnergy = setup ? String(setup.beamEnergy) : '';
    this.collectionAngle = setup ? String(setup.collectionAngle) : '';
    const choices = this.elements;
    // Oxygen when the axis has it (the edge users map most), else the first edge on the axis.
    this.element = choices.find((c) => c.element === 'O')?.element ?? choices[0]?.element ?? '';
  }

  /** Whether this dataset gets the edge builder: an EELS signal with an eV axis. */
  get available(): boolean {
    return this.setup !== null && this.setup.problem === null && this.setup.eels;
  }

  /** The elements with an edge on the axis, in order of their first onset. */
  get elements(): EelsElementChoice[] {
    const out: EelsElementChoice[] = [];
    for (const e of this.setup?.edges ?? []) {
      const found = out.find((c) => c.element === e.element);
      if (found) found.edges.push(e);
      else out.push({ element: e.element, edges: [e] });
    }
    return out;
  }

  /** Adds the chosen element's edges (and a power law if there is none). */
  async add(): Promise<boolean> {
    const beam = parseNumber(this.beamEnergy);
    if (!beam.ok || !(beam.value > 0 && beam.value <= 1000))
      return (void (this.problem = 'beam energy: give it in keV, above 0'), false);
    const angle = parseNumber(this.collectionAngle);
    if (!angle.ok || !(angle.value > 0 && angle.value <= 1000))
      return (
        void (this.problem = 'collection angle: give the semi-angle in mrad, above 0'),
        false
      );
    if (this.element === '')
      return (void (this.problem = 'choose an element with an edge on the axis'), false);
    this.problem = null;
    const s = this.#deps;
    const element = this.element;
    this.adding = true;
    try {
      let notes: string[] = [];
      let edges: string[] = [];
      const ok = await s.runEdit(`add the edges of ${element}`, async () => {
        const out = await s.model.addEelsEdges({
          element,
          beamEnergy: beam.value,
          collectionAngle: angle.value,
          fineStructure: this.fineStructure,
        });
        notes = out.notes;
        edges = out.edges;
        return out.model;
      });
      if (ok) {
        this.notes = notes;
        s.notify(
          'success',
          `Added ${edges.join(', ')}`,
          'Onsets from the edge table, background started in the pre-edge window; fit a seed next.',
          5000,
        );
      }
      return ok;
    } finally {
      this.adding = false;
    }
  }
}
