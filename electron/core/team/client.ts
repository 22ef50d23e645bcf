/** A connection to the team server, and the server's failures as values of the error table. */
import pg from 'pg';
import { type ClearanceError, ClearanceFailure, clearanceError } from '../errors';
import { clientConfig, type ServerAddress } from './config';
import { pgCode } from './schema';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Only codes reach the message: never a server text, which could quote a value. */
export function teamError(err: unknown): ClearanceError {
  if (err instanceof ClearanceFailure) return err.error;
  const code = pgCode(err);
  const message = String((err as Error)?.message ?? '');
  if (code === '28P01' || code === '28000') return clearanceError('team-auth');
  if (code === '42501') return clearanceError('team-permission', { detail: code });
  if (code === '3D000') return clearanceError('team-server-url', { detail: 'database' });
  if (
    /^(08|57P)/.test(code) ||
    UNREACHABLE.has(code) ||
    /timeout|terminated|Connection ended|not queryable/i.test(message)
  )
    return clearanceError('team-unreachable', { detail: code || 'timeout' });
  if (
    /certificate|self[- ]signed|SSL|TLS/i.test(message) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('CERT_') ||
    code.includes('CERT')
  )
    return clearanceError('team-tls', { detail: code || 'certificate' });
  if (code === 'ERR_INVALID_ARG_TYPE' || /SASL/.test(message)) return clearanceError('team-auth');
  return clearanceError('team-failed', { detail: code || (err as Error)?.name || 'error' });
}

export const asTeamFailure = (err: unknown) =>
  err instanceof ClearanceFailure ? err : new ClearanceFailure(teamError(err));

export async function connect(server: ServerAddress, password: string | undefined): Promise<pg.Client> {
  const c = new pg.Client(clientConfig(server, password));
  // A dropped connection must not crash the process; the next query reports it.
  c.on('error', () => {});
  try {
    await c.connect();
  } catch (err) {
    await c.end().catch(() => {});
    throw asTeamFailure(err);
  }
  return c;
}
