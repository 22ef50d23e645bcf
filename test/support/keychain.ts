import keytar from 'keytar';
import { describe } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../electron/core/secrets';

/**
 * Suites that need the real Secret Service (`npm test` runs them on a private D-Bus with a fresh
 * gnome-keyring). Outside it they skip and say why — unless CLEARANCE_KEYCHAIN_TESTS=required,
 * where an unreachable keyring fails them loudly instead.
 */
export async function keychainSuite(
  name: string,
): Promise<{ suite: typeof describe.skip; why: string | null; required: boolean }> {
  let why: string | null = null;
  try {
    await keytar.setPassword(KEYCHAIN_SERVICE, 'reachability-probe', '1');
    await keytar.deletePassword(KEYCHAIN_SERVICE, 'reachability-probe');
  } catch (err) {
    why = (err as Error).message;
  }
  const required = process.env.CLEARANCE_KEYCHAIN_TESTS === 'required';
  if (why && !required)
    console.warn(`${name}: skipped, no Secret Service reachable (${why}). Run it through npm test.`);
  return { suite: why && !required ? describe.skip : describe, why, required };
}
