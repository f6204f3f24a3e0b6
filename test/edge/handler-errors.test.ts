// Whose fault an answer says it is: the edge handler answers a caller's mistake (a UserError,
// whatever the facade that threw it) 422 and everything else 500, a RangeError included. The
// schedule facade is replaced here by one that throws what each case asks for.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/base/errors.js';
import { OptionsError } from '../../src/base/options.js';

const failure: { error: Error | undefined } = { error: undefined };
vi.mock('../../src/api/schedule.js', () => ({
  schedule: async () => {
    throw failure.error;
  },
}));
const { createHandler } = await import('../../src/edge/handler.js');

async function post(body: unknown): Promise<{ status: number; json: { error: string } }> {
  const response = await createHandler()(new Request('http://edge/schedule', { method: 'POST', body: JSON.stringify(body) }));
  return { status: response.status, json: await response.json() };
}

describe('edge handler: user errors 422, internal errors 500', () => {
  beforeEach(() => {
    failure.error = undefined;
  });

  it.each([
    ['a RangeError from inside', new RangeError('index 12 is out of range'), 500, 'RangeError: index 12 is out of range'],
    ['a TypeError from inside', new TypeError("cannot read properties of undefined (reading 'cycles')"), 500, "TypeError: cannot read properties of undefined (reading 'cycles')"],
    ['an Error from inside', new Error('the solver stopped'), 500, 'Error: the solver stopped'],
    ['an OptionsError', new OptionsError("schedule: option 'cores' must be an integer from 1 to 8, got 9", { field: 'cores' }), 422, "schedule: option 'cores' must be an integer from 1 to 8, got 9"],
    ['a UserError', new UserError("no built-in model 'lenet'", { field: 'model' }), 422, "no built-in model 'lenet'"],
  ])('%s', async (_, error, status, message) => {
    failure.error = error;
    expect(await post({ model: 'alexnet' })).toEqual({ status, json: { error: message } });
  });

  it('refuses an unknown field by name before any work', async () => {
    failure.error = new Error('schedule must not run');
    const { status, json } = await post({ model: 'alexnet', coers: 4 });
    expect(status).toBe(422);
    expect(json.error).toMatch(/^request: unknown field 'coers'; expected one of: model, onnx/);
    expect((await post({ model: 'alexnet', constructor: 1 })).json.error).toMatch(/^request: unknown field 'constructor'/);
  });

  it('createHandler refuses unknown and non-positive limits by name', () => {
    expect(() => createHandler({ maxBody: 1 } as never)).toThrow(/createHandler: unknown option 'maxBody'; expected one of: maxBodyBytes/);
    expect(() => createHandler({ maxConcurrent: 0 })).toThrow(OptionsError);
    expect(() => createHandler({ maxConcurrent: 0 })).toThrow("createHandler: option 'maxConcurrent' must be a number > 0, got 0");
  });
});
