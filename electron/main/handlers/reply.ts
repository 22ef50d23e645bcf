/** How a handler body becomes an IPC reply: a typed error value, never a thrown stack. */
import { type ClearanceError, ClearanceFailure } from '../../core/errors';
import { fsError } from '../../core/fsutil';
import { diskFull } from '../../core/rules';

export type R<T> = Promise<{ ok: true; value: T } | { ok: false; error: ClearanceError }>;

/** Run a handler body, turning a ClearanceFailure thrown inside core into a typed reply. */
export async function guard<T>(body: () => Promise<T>): R<T> {
  try {
    return { ok: true, value: await body() };
  } catch (err) {
    if (err instanceof ClearanceFailure) return { ok: false, error: err.error };
    if (diskFull(err)) return { ok: false, error: fsError(err) };
    throw err;
  }
}

/** Stop a handler body with this error (guard turns it into the reply). */
export const refuse = (e: ClearanceError): never => {
  throw new ClearanceFailure(e);
};
