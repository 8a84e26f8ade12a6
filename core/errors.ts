// One conversion from anything thrown to the contract's error envelope. Every host (service,
// Electron IPC, HTTP server) and the worker use it, so an error is recognised by its typed `code`
// and never by its class name or message.
import { z } from 'zod';
import { ERROR_CODES, describeZodError, type ApiError, type ErrorCode } from './contract.js';

const codes: ReadonlySet<string> = new Set(ERROR_CODES);

/** An error that carries one of the contract's codes (ServiceError, CsvError, DatabaseOpenError...). */
interface CodedError {
  code: ErrorCode;
  message: string;
  field?: string | undefined;
}

function isCoded(e: unknown): e is CodedError {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return typeof code === 'string' && codes.has(code) && typeof message === 'string';
}

/** The envelope's error for anything thrown: its own code where it has one, `internal` otherwise. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof z.ZodError) return describeZodError(e);
  if (isCoded(e)) return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
