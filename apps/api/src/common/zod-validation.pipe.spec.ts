import { describe, expect, it } from 'vitest';
import { AlertsQuerySchema, CellConfigBodySchema, TelemetryQuerySchema } from '#contracts';
import { InvalidRequestError } from './domain-errors.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

function rejection(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('ZodValidationPipe', () => {
  it('coerces query strings and fills defaults', () => {
    const pipe = new ZodValidationPipe(AlertsQuerySchema, 'alerts query');
    const query = pipe.transform({ rigId: 'rig-01', since: '2026-01-01T00:00:00Z', state: 'raised' });
    expect(query).toEqual({ rigId: 'rig-01', since: Date.UTC(2026, 0, 1), state: 'raised', limit: 1000 });
  });

  it('treats a missing query or body as empty', () => {
    const pipe = new ZodValidationPipe(TelemetryQuerySchema);
    expect(pipe.transform(undefined)).toEqual({ limit: 10_000 });
  });

  it('names every problem with its path', () => {
    const pipe = new ZodValidationPipe(CellConfigBodySchema, 'cell configuration');
    const error = rejection(() =>
      pipe.transform({ electrodeArea_cm2: -1, electrolyte: { kind: 'liquid', diffusivity_cm2_s: 3e-6 } }),
    );
    expect(error.message).toMatch(/^invalid cell configuration: /);
    expect(error.issues.some((issue) => issue.startsWith('electrodeArea_cm2: '))).toBe(true);
    expect(error.issues).toContain('electrolyte.gap_um: gap_um is required for a liquid electrolyte');
    expect(error.issues).toContain(
      'electrolyte.concentration_mol_L: concentration_mol_L is required for a liquid electrolyte',
    );
  });

  it('rejects a refinement across fields', () => {
    const pipe = new ZodValidationPipe(TelemetryQuerySchema, 'telemetry query');
    const error = rejection(() => pipe.transform({ from: '2000', to: '1000' }));
    expect(error.issues).toEqual(['from: from must not be after to']);
  });

  it('rejects a bad duration with the schema message', () => {
    const pipe = new ZodValidationPipe(TelemetryQuerySchema, 'telemetry query');
    const error = rejection(() => pipe.transform({ every: 'ten seconds' }));
    expect(error.issues).toEqual(['every: every must look like 10s, 500ms, 5m']);
  });
});
