import { useCallback, useRef, useState } from 'react';
import type { Reply } from '../../../electron/contract';
import type { ClearanceError } from '../api';

export interface Action {
  /** True while a run is under way; a second run meanwhile is refused (a double click saves once). */
  busy: boolean;
  /** The last run's error; cleared when a run starts. */
  error: ClearanceError | null;
  setError(error: ClearanceError | null): void;
  /** Runs one backend call (or a chain that ends in one reply); the value, or undefined on error. */
  run<T>(work: () => Promise<Reply<T>>): Promise<T | undefined>;
}

/**
 * The busy/error pattern of a button that calls the backend, in one place. With `onError` the
 * error goes there (e.g. a toast) instead of into `error`.
 */
export function useAction(onError?: (error: ClearanceError) => void): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClearanceError | null>(null);
  const running = useRef(false);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  const run = useCallback(async <T>(work: () => Promise<Reply<T>>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      const r = await work();
      if (r.ok) return r.value;
      if (onErrorRef.current) onErrorRef.current(r.error);
      else setError(r.error);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  return { busy, error, setError, run };
}
