/**
 * The EDS builder's state: the elements picked on the periodic table (the
 * metadata's preselected), the background, beam energy and range, the line
 * markers drawn on the spectrum, the "what is this peak?" read-out and the
 * last calibration. Everything is computed by the host (model.eds* calls);
 * this only keeps what it answered.
 */
import type {
  EdsCalibrationOutcome,
  EdsLineMarker,
  EdsLineNear,
  EdsSetup,
  ModelApi,
  ModelState,
  RegionRequest,
} from '@samfire/core/api';
import { parseInteger, parseNumber } from '../logic/parse.js';
import type { Feedback } from './store-deps.js';

export type EdsBackgroundChoice = 'polynomial' | 'bremsstrahlung';

/** What the EDS builder needs: the model service's EDS calls and the model store's edits. */
export interface EdsDeps extends Pick<Feedback, 'notify'> {
  model: Pick<
    ModelApi,
    'onChanged' | 'edsSetup' | 'edsLines' | 'edsLinesNear' | 'buildEdsModel' | 'calibrateEds'
  >;
  /** The model now (null before one is read). */
  modelState(): ModelState | null;
  /** Runs a model edit with the model store's checks, notices and redraws. */
  runEdit(what: string, edit: () => Promise<ModelState | null>): Promise<boolean>;
  /** The region shown on the navigator (calibration uses it instead of the sum), or null. */
  region(): RegionRequest | null;
}

export class EdsStore {
  setup = $state.raw<EdsSetup | null>(null);
  /** Picked on the periodic table, in the order picked. */
  elements = $state<string[]>([]);
  background = $state<EdsBackgroundChoice>('polynomial');
  order = $state('2');
  beamEnergy = $state('');
  rangeStart = $state('');
  rangeEnd = $state('');
  /** Line markers on the spectrum. */
  showLines = $state(true);
  markers = $state.raw<EdsLineMarker[]>([]);
  /** Lines near the cursor on the spectrum, and where the cursor is. */
  near = $state.raw<EdsLineNear[]>([]);
  nearAt = $state<number | null>(null);
  calibration = $state.raw<EdsCalibrationOutcome | null>(null);
  building = $state(false);
  calibrating = $state(false);
  /** Why the form cannot be used as typed, or null. */
  problem = $state<string | null>(null);
  readonly #deps: EdsDeps;
  #lookup = 0;
  #lineRequest = 0;

  #calibrationKey = '';

  constructor(deps: EdsDeps) {
    this.#deps = deps;
    // The markers follow the model's calibration (a calibration, an undo of one, an edit).
    deps.model.onChanged((m) => {
      const cal = m.components.find((c) => c.kind === 'EdsCalibration');
      const key = cal ? JSON.stringify(cal.parameters.map((p) => p.values)) : '';
      if (key === this.#calibrationKey) return;
      this.#calibrationKey = key;
      void this.refreshLines();
    });
  }

  /** A new dataset: the metadata's elements, beam energy and default range. */
  async load(): Promise<void> {
    const s = this.#deps;
    this.calibration = null;
    this.near = [];
    this.nearAt = null;
    this.problem = null;
    const setup = await s.model.edsSetup().catch(() => null);
    this.setup = setup;
    this.elements = setup ? [...setup.elements] : [];
    this.beamEnergy = setup ? String(setup.beamEnergy) : '';
    this.rangeStart = setup ? String(Number(setup.range.start.toPrecision(6))) : '';
    this.rangeEnd = setup ? String(Number(setup.range.end.toPrecision(6))) : '';
    await this.refreshLines();
  }

  /** Whether the open dataset can have an EDS model (an energy axis in eV or keV). */
  get available(): boolean {
    return this.setup !== null && this.setup.problem === null;
  }

  toggle(element: string): void {
    this.elements = this.elements.includes(element)
      ? this.elements.filter((e) => e !== element)
      : [...this.elements, element];
    void this.refreshLines();
  }

  /** The form as a request, or a message naming the bad field. */
  #settings():
    | { ok: true; beamEnergy: number; range: { start: number; end: number } }
    | { ok: false; message: string } {
    const e = parseNumber(this.beamEnergy);
    if (!e.ok) return { ok: false, message: `beam energy: ${e.message}` };
    if (!(e.value > 0 && e.value <= 1000))
      return { ok: false, message: 'beam energy: give it in keV, above 0' };
    const a = parseNumber(this.rangeStart);
    const b = parseNumber(this.rangeEnd);
    if (!a.ok) return { ok: false, message: `range start: ${a.message}` };
    if (!b.ok) return { ok: false, message: `range end: ${b.message}` };
    if (!(a.value < b.value)) return { ok: false, message: 'the range must start below its end' };
    return { ok: true, beamEnergy: e.value, range: { start: a.value, end: b.value } };
  }

  /** Asks the host for the markers of the picked elements (the latest request wins). */
  async refreshLines(): Promise<void> {
    const id = ++this.#lineRequest;
    const set = this.#settings();
    if (!this.available || !set.ok || this.elements.length === 0) {
      this.markers = [];
      return;
    }
    const lines = await this.#deps.model
      .edsLines({ elements: [...this.elements], beamEnergy: set.beamEnergy, range: set.range })
      .catch(() => []);
    if (id === this.#lineRequest) this.markers = lines;
  }

  /** The markers to draw (none when switched off). */
  get shownMarkers(): EdsLineMarker[] {
    return this.showLines ? this.markers : [];
  }

  async build(): Promise<boolean> {
    const set = this.#settings();
    if (!set.ok) return (void (this.problem = set.message), false);
    if (this.elements.length === 0)
      return (void (this.problem = 'pick at least one element on the table'), false);
    let background: { kind: 'polynomial'; order: number } | { kind: 'bremsstrahlung' };
    if (this.background === 'polynomial') {
      const n = parseInteger(this.order, 0, 10);
      if (!n.ok) return (void (this.problem = `polynomial order: ${n.message}`), false);
      background = { kind: 'polynomial', order: n.value };
    } else background = { kind: 'bremsstrahlung' };
    this.problem = null;
    const s = this.#deps;
    this.building = true;
    try {
      const ok = await s.runEdit(`build the EDS model`, () =>
        s.model.buildEdsModel({
          elements: [...this.elements],
          background,
          beamEnergy: set.beamEnergy,
          range: set.range,
        }),
      );
      if (ok) {
        this.calibration = null;
        await this.refreshLines();
        s.notify(
          'success',
          'EDS model built',
          `${s.modelState()?.components.length ?? 0} components; calibrate it on the sum spectrum before seeding.`,
          5000,
        );
      }
      return ok;
    } finally {
      this.building = false;
    }
  }

  /** Whether the model has an EDS calibration to fit. */
  get calibratable(): boolean {
    return (this.#deps.modelState()?.components ?? []).some((c) => c.kind === 'EdsCalibration');
  }

  /** Calibrates on the sum spectrum, or on the region shown on the navigator. */
  async calibrate(): Promise<boolean> {
    const s = this.#deps;
    const region = s.region();
    this.calibrating = true;
    try {
      let outcome: EdsCalibrationOutcome | null = null;
      const ok = await s.runEdit('calibrate', async () => {
        outcome = await s.model.calibrateEds({ region: region ? { ...region } : null });
        return outcome.model;
      });
      if (ok && outcome) {
        this.calibration = outcome;
        await this.refreshLines();
      }
      return ok;
    } finally {
      this.calibrating = false;
    }
  }

  /** The lines near a position on the spectrum (the latest request wins). */
  async lookup(position: number | null): Promise<void> {
    const id = ++this.#lookup;
    const e = parseNumber(this.beamEnergy);
    if (position === null || !this.available || !e.ok || !(e.value > 0)) {
      this.near = [];
      this.nearAt = null;
      return;
    }
    const near = await this.#deps.model
      .edsLinesNear({ position, beamEnergy: e.value, limit: 6 })
      .catch(() => []);
    if (id !== this.#lookup) return;
    this.near = near;
    this.nearAt = position;
  }
}
