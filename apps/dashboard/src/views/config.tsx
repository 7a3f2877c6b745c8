import { ELECTROLYTE_PRESETS } from '#contracts';
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, describeProblem, type ApiProblem, type ConfigResponse } from '../lib/api.js';
import {
  configToForm,
  formToBody,
  presetPlaceholders,
  type ConfigErrors,
  type ConfigField,
  type ConfigForm,
} from '../lib/config-form.js';
import { evidenceEntryToWords } from '../lib/evidence.js';
import { routeHref } from '../lib/route.js';

const PRESET_LABEL: Record<string, string> = {
  lp30: 'LP30, 1 M LiPF6 (liquid)',
  'peo-litfsi': 'PEO-LiTFSI (polymer)',
  li6ps5cl: 'Li6PS5Cl (solid)',
  llzo: 'LLZO garnet (solid)',
};

interface FieldProps {
  field: ConfigField;
  label: string;
  form: ConfigForm;
  errors: ConfigErrors;
  onInput: (field: ConfigField, value: string) => void;
  /** The preset's value of each field, shown while the field is empty. */
  placeholders: Partial<Record<ConfigField, string>>;
  hint?: string;
}

function NumberField({ field, label, form, errors, onInput, placeholders, hint }: FieldProps) {
  const id = `cfg-${field}`;
  return (
    <div class={`field ${errors[field] ? 'invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={field}
        inputMode="decimal"
        value={form[field]}
        placeholder={placeholders[field]}
        aria-invalid={errors[field] ? 'true' : 'false'}
        aria-describedby={errors[field] ? `${id}-error` : undefined}
        onInput={(e) => onInput(field, e.currentTarget.value)}
      />
      {hint && <small class="muted">{hint}</small>}
      {errors[field] && (
        <small id={`${id}-error`} class="error-text">
          {errors[field]}
        </small>
      )}
    </div>
  );
}

type Load =
  | { state: 'loading' }
  | { state: 'loaded'; response: ConfigResponse }
  | { state: 'failed'; problem: ApiProblem };
type Save =
  { state: 'idle' } | { state: 'saving' } | { state: 'saved' } | { state: 'rejected'; problem: ApiProblem };

/** A cell's physical configuration, edited in lab units and checked by the same schema as the api. */
export function ConfigEditor({ rigId, cellId }: { rigId: string; cellId: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [form, setForm] = useState<ConfigForm | null>(null);
  const [errors, setErrors] = useState<ConfigErrors>({});
  const [save, setSave] = useState<Save>({ state: 'idle' });

  const fetchConfig = async (): Promise<void> => {
    const result = await api.config(rigId, cellId);
    if (!result.ok) {
      setLoad({ state: 'failed', problem: result.problem });
      return;
    }
    setLoad({ state: 'loaded', response: result.value });
    setForm(configToForm(result.value.config));
  };
  useEffect(() => {
    setLoad({ state: 'loading' });
    void fetchConfig();
    // Reload when the cell changes.
  }, [rigId, cellId]);

  const onInput = (field: ConfigField, value: string): void => {
    setForm((f) => (f ? { ...f, [field]: value } : f));
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
    setSave({ state: 'idle' });
  };

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (!form) return;
    const checked = formToBody(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSave({ state: 'saving' });
    const result = await api.putConfig(rigId, cellId, checked.body);
    if (!result.ok) {
      setSave({ state: 'rejected', problem: result.problem });
      return;
    }
    setSave({ state: 'saved' });
    await fetchConfig();
  };

  const preset = presetPlaceholders(form?.preset ?? '');
  const props = form ? { form, errors, onInput, placeholders: preset.values } : null;
  const derived = load.state === 'loaded' ? Object.entries(load.response.derived) : [];

  return (
    <section aria-label="Configuration" class="config">
      <div class="toolbar">
        <h2>
          Configuration of <span class="muted">{rigId} /</span> {cellId}
        </h2>
        <a href={routeHref({ view: 'cell', rigId, cellId })}>← back to the cell</a>
      </div>
      {load.state === 'loading' && <p class="muted">Loading…</p>}
      {load.state === 'failed' && (
        <p class="error-text" role="alert">
          Could not load the configuration: {describeProblem(load.problem)}
        </p>
      )}
      {form && props && (
        <div class="config-grid">
          <form class="panel" onSubmit={(e) => void submit(e)} noValidate>
            <fieldset>
              <legend>Cell</legend>
              <div class="field">
                <label for="cfg-cellType">Cell type</label>
                <select
                  id="cfg-cellType"
                  name="cellType"
                  value={form.cellType}
                  onChange={(e) => onInput('cellType', e.currentTarget.value)}
                >
                  <option value="symmetric">symmetric (Li | Li)</option>
                  <option value="half">half cell</option>
                  <option value="full">full cell</option>
                </select>
              </div>
              <NumberField field="electrodeArea_cm2" label="Electrode area (cm²)" {...props} />
              <NumberField field="nominalPressure_MPa" label="Nominal stack pressure (MPa)" {...props} />
            </fieldset>
            <fieldset>
              <legend>Electrolyte</legend>
              <div class="field">
                <label for="cfg-preset">Preset</label>
                <select
                  id="cfg-preset"
                  name="preset"
                  value={form.preset}
                  onChange={(e) => onInput('preset', e.currentTarget.value)}
                >
                  <option value="">none — give every parameter</option>
                  {ELECTROLYTE_PRESETS.map((p) => (
                    <option key={p} value={p}>
                      {PRESET_LABEL[p] ?? p}
                    </option>
                  ))}
                </select>
                <small class="muted">
                  Empty fields below take the preset's value (shown greyed); a filled-in field overrides it.
                </small>
                {preset.source && <small class="muted">Source: {preset.source}</small>}
              </div>
              <div class={`field ${errors.kind ? 'invalid' : ''}`}>
                <label for="cfg-kind">Kind</label>
                <select
                  id="cfg-kind"
                  name="kind"
                  value={form.kind}
                  onChange={(e) => onInput('kind', e.currentTarget.value)}
                >
                  <option value="">
                    {form.preset ? `from the preset (${preset.values.kind ?? ''})` : 'choose…'}
                  </option>
                  <option value="liquid">liquid</option>
                  <option value="polymer">polymer</option>
                  <option value="solid">solid</option>
                </select>
                {errors.kind && <small class="error-text">{errors.kind}</small>}
              </div>
              <NumberField field="diffusivity_cm2_s" label="Salt diffusivity D (cm²/s)" {...props} />
              <NumberField field="concentration_mol_L" label="Salt concentration c₀ (mol/L)" {...props} />
              <NumberField
                field="cationTransference"
                label="Cation transference t₊ (–)"
                hint="anion t₋ = 1 − t₊"
                {...props}
              />
              <NumberField field="gap_um" label="Electrode gap L (µm)" {...props} />
              <NumberField
                field="referenceTemperature_C"
                label="Reference temperature of D (°C)"
                {...props}
              />
              <NumberField
                field="activationEnergy_kJ_mol"
                label="Activation energy of D (kJ/mol)"
                {...props}
              />
              <NumberField
                field="criticalStrippingCurrent_mA_cm2"
                label="Critical stripping current at nominal pressure (mA/cm²)"
                hint="solid electrolytes"
                {...props}
              />
            </fieldset>
            <fieldset>
              <legend>Detector thresholds</legend>
              <div class={`field ${errors.thresholds ? 'invalid' : ''}`}>
                <label for="cfg-thresholds">Overrides, one “name = number” per line</label>
                <textarea
                  id="cfg-thresholds"
                  name="thresholds"
                  rows={3}
                  value={form.thresholds}
                  onInput={(e) => onInput('thresholds', e.currentTarget.value)}
                />
                {errors.thresholds && <small class="error-text">{errors.thresholds}</small>}
              </div>
            </fieldset>
            <fieldset>
              <legend>Safety stop</legend>
              <div class={`field ${errors.safetyStopOn ? 'invalid' : ''}`}>
                <label for="cfg-safety-stop-on">
                  Stop the channel on these alert kinds (e.g. “hard-short”; empty = never)
                </label>
                <input
                  id="cfg-safety-stop-on"
                  name="safetyStopOn"
                  value={form.safetyStopOn}
                  onInput={(e) => onInput('safetyStopOn', e.currentTarget.value)}
                />
                {errors.safetyStopOn && <small class="error-text">{errors.safetyStopOn}</small>}
              </div>
              <div class={`field ${errors.safetyMinSeverity ? 'invalid' : ''}`}>
                <label for="cfg-safety-min-severity">At severity</label>
                <select
                  id="cfg-safety-min-severity"
                  name="safetyMinSeverity"
                  value={form.safetyMinSeverity}
                  onChange={(e) => onInput('safetyMinSeverity', e.currentTarget.value)}
                >
                  <option value="critical">critical only</option>
                  <option value="warning">warning or critical</option>
                </select>
              </div>
            </fieldset>
            {errors.form && (
              <p class="error-text" role="alert">
                {errors.form}
              </p>
            )}
            {Object.values(errors).some(Boolean) && (
              <p class="error-text" role="alert">
                Not saved: fix the fields marked above.
              </p>
            )}
            {save.state === 'rejected' && (
              <div class="error-text" role="alert">
                <p>The API refused the configuration: {describeProblem(save.problem)}</p>
                {save.problem.kind === 'http' && save.problem.issues.length > 0 && (
                  <ul>
                    {save.problem.issues.map((issue) => (
                      <li key={issue}>{issue}</li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            {save.state === 'saved' && <p class="ok-text">Saved. Ingest applies it to the live stream.</p>}
            <button type="submit" disabled={save.state === 'saving'}>
              {save.state === 'saving' ? 'Saving…' : 'Save configuration'}
            </button>
          </form>
          <aside class="panel">
            <h3>Derived from this configuration</h3>
            {derived.length === 0 && <p class="muted">Nothing derived yet.</p>}
            <ul class="derived">
              {derived.map(([name, value]) => (
                <li key={name}>
                  {typeof value === 'number' || typeof value === 'string' || value === null
                    ? evidenceEntryToWords(name, value)
                    : Array.isArray(value)
                      ? `${name}: ${value.length === 0 ? 'none' : value.join('; ')}`
                      : `${name}: ${JSON.stringify(value)}`}
                </li>
              ))}
            </ul>
          </aside>
        </div>
      )}
    </section>
  );
}
