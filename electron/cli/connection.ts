import { DEMO_CREDENTIALS, type Simulator, startSimulator } from '../core/demo/simulator';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../core/errors';
import { resolveGatewayUrl, type TopClientOptions } from '../core/gateway/client';
import { isSignMethod, SIGN_METHODS, type SignMethod } from '../core/gateway/sign';
import {
  openSecretStore,
  readSecretFile,
  SECRET_FILE_VARS,
  secretAccount,
  secretFilesFrom,
} from '../core/secrets';
import { profileClientOptions } from '../core/settings/connection-test';
import { resolveDataDir } from '../core/settings/paths';
import { sameGatewayServer } from '../core/settings/schema';
import { needsReauthFor, openSettings } from '../core/settings/store';
import type { OptionSpec } from './commands/types';

/** The flags of every command that calls the gateway (`get`, `batch`): which gateway, as whom. */
export const CONNECTION_OPTIONS = {
  demo: { type: 'boolean' },
  gateway: { type: 'string' },
  'keep-secrets': { type: 'boolean' },
  'app-key': { type: 'string' },
  'sign-method': { type: 'string', choices: SIGN_METHODS },
  format: { type: 'string', choices: ['json', 'xml'] },
  profile: { type: 'string' },
  verbose: { type: 'boolean' },
} as const satisfies Record<keyof ConnectionFlags | 'verbose', OptionSpec>;

export interface ConnectionFlags {
  demo?: boolean;
  gateway?: string;
  'app-key'?: string;
  'sign-method'?: string;
  format?: string;
  profile?: string;
  /** Send a profile's secrets to a `--gateway` / CLEARANCE_GATEWAY on another server than its own. */
  'keep-secrets'?: boolean;
}

export interface Connection {
  client: Omit<TopClientOptions, 'onCall'>;
  demo: boolean;
  /** The profile the connection came from; null for `--demo` and the CLEARANCE_* variables. */
  profile: string | null;
  /**
   * Tell the connection how a call failed: a refused session ('session-invalid'/'session-missing')
   * marks the profile as needing re-authorisation, which `profile list` and the app then show.
   */
  reportFailure(error: Pick<ClearanceError, 'reason'>): void;
  /** Stops the embedded simulator when `--demo` (or a demo profile) started one. */
  close(): Promise<void>;
}

const ENV_SECRETS = ['CLEARANCE_APP_KEY', 'CLEARANCE_APP_SECRET', 'CLEARANCE_SESSION'] as const;

/** A secret from the file a CLEARANCE_*_FILE variable names (null when unset). */
function fromFile(env: NodeJS.ProcessEnv, kind: 'appSecret' | 'session'): string | null {
  const path = secretFilesFrom(env)[kind];
  return path ? readSecretFile(path, SECRET_FILE_VARS[kind], { missingOk: false }) : null;
}

async function demoConnection(
  format: 'json' | 'xml',
  signMethod: SignMethod | undefined,
  profile: string | null,
  session: string = DEMO_CREDENTIALS.session,
) {
  const sim: Simulator = await startSimulator();
  return ok<Connection>({
    client: {
      gateway: sim.url,
      credentials: { ...DEMO_CREDENTIALS, session },
      format,
      ...(signMethod ? { signMethod } : {}),
    },
    demo: true,
    profile,
    reportFailure: () => {},
    close: () => sim.close(),
  });
}

/**
 * Where the command connects: `--demo` starts the embedded simulator; with CLEARANCE_APP_KEY,
 * CLEARANCE_APP_SECRET or CLEARANCE_SESSION set, the connection comes from the environment as
 * before (secrets never from argv, where `ps` and shell history would show them); otherwise from
 * `--profile <name>` or the default profile in the data folder, with its secrets from the keychain.
 * An explicit `--profile` wins over the variables. Flags override the profile's gateway, App Key
 * and sign method; a gateway on another server than the profile's own only with `--keep-secrets`.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
): Promise<Result<Connection, ClearanceError>> {
  const format = flags.format === 'xml' ? 'xml' : 'json';
  const signRaw = flags['sign-method'] ?? env.CLEARANCE_SIGN_METHOD;
  if (signRaw && !isSignMethod(signRaw)) {
    return fail(clearanceError('usage', { detail: `--sign-method ${signRaw}: md5 | hmac | hmac-sha256` }));
  }
  const signMethod = signRaw as SignMethod | undefined;
  const gatewayName = flags.gateway ?? env.CLEARANCE_GATEWAY;
  if (flags.demo || gatewayName === 'demo') return demoConnection(format, signMethod, null);

  // An App Key given by flag means the variables are meant, as before this command had profiles.
  const fromEnv = ENV_SECRETS.some((k) => env[k]) || flags['app-key'] !== undefined;
  if (flags.profile === undefined && fromEnv) {
    const gateway = resolveGatewayUrl(gatewayName ?? 'production');
    if (!gateway.ok) return gateway;
    const appKey = flags['app-key'] ?? env.CLEARANCE_APP_KEY;
    let appSecret: string | null | undefined;
    let session: string | null | undefined;
    try {
      appSecret = env.CLEARANCE_APP_SECRET || fromFile(env, 'appSecret');
      session = env.CLEARANCE_SESSION || fromFile(env, 'session');
    } catch (err) {
      if (err instanceof ClearanceFailure) return fail(err.error);
      throw err;
    }
    const missing = [
      !appKey && 'CLEARANCE_APP_KEY',
      !appSecret && `CLEARANCE_APP_SECRET | ${SECRET_FILE_VARS.appSecret}`,
      !session && `CLEARANCE_SESSION | ${SECRET_FILE_VARS.session}`,
    ].filter(Boolean);
    if (missing.length) return fail(clearanceError('config-missing', { detail: missing.join(', ') }));
    return ok({
      client: {
        gateway: gateway.value,
        credentials: { appKey: appKey as string, appSecret: appSecret as string, session: session as string },
        format,
        ...(signMethod ? { signMethod } : {}),
      },
      demo: false,
      profile: null,
      reportFailure: () => {},
      close: async () => {},
    });
  }
  return profileConnection(flags, env, format, signMethod);
}

async function profileConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  format: 'json' | 'xml',
  signMethod: SignMethod | undefined,
): Promise<Result<Connection, ClearanceError>> {
  const dataDir = resolveDataDir(env);
  const opened = openSettings(dataDir, openSecretStore(dataDir, 'keychain', env));
  if (!opened.ok) return opened;
  const settings = opened.value;
  const name = flags.profile ?? settings.defaultProfile();
  if (!name) {
    return fail(
      clearanceError('config-missing', { detail: `profile add <name> | ${ENV_SECRETS.join(', ')}` }),
    );
  }
  const profile = settings.findProfile(name);
  if (!profile) return fail(clearanceError('profile-not-found', { detail: name }));
  const gatewayName = flags.gateway ?? env.CLEARANCE_GATEWAY ?? profile.gateway;
  if (gatewayName === 'demo') {
    // A demo profile authorised through the demo gateway uses the session it was given.
    const stored = await settings.secrets.get(secretAccount(name, 'session')).catch(() => null);
    return demoConnection(format, signMethod, name, stored ?? undefined);
  }
  const gateway = resolveGatewayUrl(gatewayName);
  if (!gateway.ok) return gateway;
  // The keychain's secrets were entered for the profile's own server: not for one named on the command line.
  if (!sameGatewayServer(profile.gateway, gatewayName) && flags['keep-secrets'] !== true)
    return fail(clearanceError('gateway-moved', { detail: name }));
  let creds: { appSecret: string; session: string };
  try {
    creds = await settings.credentials(name);
  } catch (err) {
    if (err instanceof ClearanceFailure) return fail(err.error);
    throw err;
  }
  const options = profileClientOptions(
    { ...profile, signMethod: signMethod ?? profile.signMethod },
    gateway.value,
    { appKey: flags['app-key'] ?? profile.appKey, appSecret: creds.appSecret, session: creds.session },
  );
  return ok({
    client: { ...options, format },
    demo: false,
    profile: name,
    reportFailure: (error) => {
      if (!needsReauthFor(error)) return;
      try {
        settings.markNeedsReauth(name);
      } catch {
        // Marking is a courtesy: a settings write that fails must not hide the call's own error.
      }
    },
    close: async () => {},
  });
}
