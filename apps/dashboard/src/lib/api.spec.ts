import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeProblem, problemFromResponse, readBody } from './api.js';

describe('problemFromResponse', () => {
  it('uses the API error body with its issues', () => {
    const problem = problemFromResponse(
      400,
      JSON.stringify({ message: 'invalid config', issues: ['gap_um: required'] }),
    );
    expect(problem).toEqual({
      kind: 'http',
      status: 400,
      message: 'invalid config',
      issues: ['gap_um: required'],
    });
    expect(describeProblem(problem)).toBe('invalid config (HTTP 400)');
  });

  it('treats a gateway error page as an unreachable api', () => {
    expect(problemFromResponse(502, '<html>Bad gateway</html>').kind).toBe('unreachable');
  });

  it('keeps other bodies short', () => {
    const problem = problemFromResponse(500, 'x'.repeat(1000));
    expect(problem.kind === 'http' && problem.message.length).toBe(200);
  });
});

describe('readBody', () => {
  it('validates against the schema', () => {
    expect(readBody('[1,2]', z.array(z.number()))).toEqual({ ok: true, value: [1, 2] });
    const bad = readBody('[{"a":1}]', z.array(z.object({ a: z.string() })));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem.kind === 'bad-response' && bad.problem.detail).toMatch(/at 0\.a/);
  });

  it('reads an empty body as null and rejects non-JSON', () => {
    expect(readBody('', z.unknown())).toEqual({ ok: true, value: null });
    expect(readBody('<html>', z.unknown())).toEqual({
      ok: false,
      problem: { kind: 'bad-response', detail: 'not JSON' },
    });
  });
});
