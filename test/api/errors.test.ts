// The error taxonomy: a caller's mistake in any facade is a UserError naming the field at fault,
// with the file and line where the input is a file; anything else is an internal error.
import { describe, expect, it } from 'vitest';
import { codesign, importOnnx, infer, isUserError, OptionsError, readNpy, schedule, simulate, tune, UserError } from '../../src/node/index.js';
import { ConfigError, parseConfig } from '../../src/sim/config.js';
import { GraphError } from '../../src/graph/types.js';
import { parseRecords } from '../../src/tune/records.js';

/** The UserError `call` throws (or rejects with); fails when it throws nothing or something else. */
async function userError(call: () => unknown): Promise<UserError> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the call should have failed').toBeInstanceOf(UserError);
  return thrown as UserError;
}

describe('a mistake in each facade is a UserError naming the field', () => {
  it.each([
    ['importOnnx: an unknown option', () => importOnnx(new Uint8Array(8), { sorce: 'x' } as never), 'sorce', /importOnnx: unknown option 'sorce'/],
    ['importOnnx: bytes of the wrong type', () => importOnnx('model.onnx' as never), 'bytes', /bytes must be a Uint8Array/],
    ['schedule: a value out of range', () => schedule('alexnet', { cores: 9 }), 'cores', /option 'cores' must be an integer from 1 to 8, got 9/],
    ['schedule: a target preset with too many cores', () => schedule('alexnet', { target: 'edgetpu:9' }), 'cores', /pipeline target: cores must be an integer from 1 to 8, got 9/],
    ['schedule: an unknown target field', () => schedule('alexnet', { target: { cores: 2, sramKiB: 3 } as never }), 'sramKiB', /pipeline target: unknown field 'sramKiB'/],
    ['schedule: an unknown zoo model', () => schedule('lenet'), 'model', /lenet/],
    ['simulate: a bad dataflow', () => simulate('alexnet', { dataflow: 'rs' as never }), 'dataflow', /option 'dataflow' must be one of 'os', 'ws', 'is', got 'rs'/],
    ['simulate: a target with no rows', () => simulate('alexnet', { target: { rows: 0 } as never }), 'rows', /rows must be a positive integer, got 0/],
    ['tune: a misspelt option', () => tune('alexnetconvs', { trails: 5 } as never), 'trails', /unknown option 'trails'/],
    ['tune: a layer beyond the model', () => tune('alexnetconvs', { layer: 9 }), 'layer', /layer must be below 5/],
    ['codesign: a misspelt option', () => codesign('alexnetconvs', { maxPes: 4 } as never), 'maxPes', /unknown option 'maxPes'/],
    ['infer: a repeat of 0', () => infer(new Uint8Array(0), { repeat: 0 }), 'repeat', /infer: repeat must be an integer ≥ 1, got 0/],
  ])('%s', async (_, call, field, message) => {
    const error = await userError(call);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(isUserError(error)).toBe(true);
  });
});

describe('a bad input file is a UserError with its file and line', () => {
  it('a SCALE-Sim config: the line of the bad key', () => {
    const text = '[general]\nrun_name = x\n\n[architecture_presets]\nArrayHeight : 8\nArrayWidht : 8\n';
    const error = (() => {
      try {
        parseConfig(text, 'mine.cfg');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ file: 'mine.cfg', line: 6 });
    expect((error as Error).message).toMatch(/^mine\.cfg:6: unknown key 'ArrayWidht'/);
  });

  it('an ONNX file that is not one: the file', async () => {
    const error = await userError(() => importOnnx(new Uint8Array([8, 1, 18, 5, 106, 117, 110, 107, 33]), { source: 'junk.onnx' }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.file).toBe('junk.onnx');
  });

  it('infer on bytes that are not a model, and an .npy file that is not one: the file', async () => {
    expect((await userError(() => infer(new Uint8Array([8, 1, 18, 5, 106, 117, 110, 107, 33]), { source: 'junk.onnx' }))).file).toBe('junk.onnx');
    const npy = await userError(() => readNpy(new Uint8Array(12), 'input.npy'));
    expect([npy.file, npy.message]).toEqual(['input.npy', 'input.npy: not a .npy file (magic string \\x93NUMPY expected)']);
  });
});

it('a tuning log: the line, and the field of a record', () => {
  const damaged = (() => {
    try {
      parseRecords('\n{oops\n{"v":1}', 'log.jsonl');
    } catch (e) {
      return e;
    }
  })();
  expect(damaged).toBeInstanceOf(UserError);
  expect(damaged).toMatchObject({ file: 'log.jsonl', line: 2 });
  expect(() => parseRecords('{"v":7}', 'log.jsonl')).toThrow(expect.objectContaining({ file: 'log.jsonl', line: 1, field: 'v' }));
});

it('OptionsError is a UserError and keeps its name', () => {
  const error = new OptionsError('f: option x is wrong', { field: 'x' });
  expect(error).toBeInstanceOf(UserError);
  expect([error.name, error.field]).toEqual(['OptionsError', 'x']);
  expect(isUserError(new RangeError('index 3 out of range'))).toBe(false);
});
