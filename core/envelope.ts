// The envelope every host answers with: `{ ok: true, value } | { ok: false, error }`, the error
// codes, the error the service raises on purpose, and the one wording of a zod error.
import type { z } from 'zod';

export const ERROR_CODES = ['invalid_args', 'not_found', 'bad_input', 'conflict', 'forbidden', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Dotted path of the offending field (`spec.window.lookback`), a column or a file line. */
  field?: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An error the service raises on purpose; hosts turn it into `{ ok: false, error }`. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Formats a zod error as one readable line naming each field. */
export function describeZodError(err: z.ZodError, prefix = ''): ApiError {
  const first = err.issues[0];
  const field = first ? [prefix, ...first.path.map(String)].filter(Boolean).join('.') : prefix || undefined;
  const message = err.issues
    .slice(0, 5)
    .map((i) => {
      const f = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
      return f ? `${f}: ${i.message}` : i.message;
    })
    .join('; ');
  return { code: 'invalid_args', message, ...(field ? { field } : {}) };
}
