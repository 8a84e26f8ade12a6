// toApiError recognises errors by their typed `code` (never by class name or message).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toApiError } from '../../core/errors.js';
import { ServiceError } from '../../core/contract.js';
import { CsvError } from '../../worker/import/types.js';
import { DatabaseOpenError } from '../../db/open.js';

describe('toApiError', () => {
  it('maps a CsvError to bad_input with its line, or its column when the line is unknown', () => {
    expect(toApiError(new CsvError('row 3 has 2 fields, expected 3', 'a.csv', 3, 'price'))).toEqual({
      code: 'bad_input',
      message: 'row 3 has 2 fields, expected 3',
      field: 'line 3',
    });
    expect(toApiError(new CsvError('column is empty', 'a.csv', undefined, 'price'))).toEqual({
      code: 'bad_input',
      message: 'column is empty',
      field: 'price',
    });
    expect(toApiError(new CsvError('no rows', 'a.csv'))).toEqual({ code: 'bad_input', message: 'no rows' });
  });

  it('maps a DatabaseOpenError to bad_input', () => {
    expect(toApiError(new DatabaseOpenError('x.db is not a Recurrent Workbench database', 'x.db'))).toEqual({
      code: 'bad_input',
      message: 'x.db is not a Recurrent Workbench database',
    });
  });

  it('maps a ZodError to invalid_args naming the field', () => {
    const r = z.object({ lookback: z.number().int() }).safeParse({ lookback: 'x' });
    expect(r.success).toBe(false);
    expect(toApiError(r.error)).toMatchObject({
      code: 'invalid_args',
      field: 'lookback',
      message: expect.stringContaining('lookback'),
    });
  });

  it('keeps a ServiceError code and field', () => {
    expect(toApiError(new ServiceError('not_found', 'run 9 does not exist', 'id'))).toEqual({
      code: 'not_found',
      message: 'run 9 does not exist',
      field: 'id',
    });
  });

  it('maps a plain Error, a Node error code and a thrown string to internal', () => {
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(toApiError(enoent)).toEqual({ code: 'internal', message: 'ENOENT: no such file' });
    expect(toApiError('odd')).toEqual({ code: 'internal', message: 'odd' });
  });

  it('does not recognise an error by its class name', () => {
    const lookalike = Object.assign(new Error('looks like a CSV error'), { name: 'CsvError', line: 2 });
    expect(toApiError(lookalike)).toEqual({ code: 'internal', message: 'looks like a CSV error' });
  });
});
