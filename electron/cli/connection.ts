import { type ClearanceError, clearanceError, fail, ok, type Result } from '../core/errors';
import { DEMO_CREDENTIALS, type Simulator, startSimulator } from '../core/demo/simulator';
import { resolveGatewayUrl, type TopClientOptions } from '../core/top/client';
import { isSignMethod, type SignMethod } from '../core/top/sign';

export interface ConnectionFlags {
  demo?: boolean;
  gateway?: string;
  'app-key'?: string;
  'sign-method'?: string;
  format?: string;
}

export interface Connection {
  client: Omit<TopClientOptions, 'onCall'>;
  demo: boolean;
  /** Stops the embedded simulator when `--demo` started one. */
  close(): Promise<void>;
}

/**
 * Where the command connects: `--demo` starts the embedded simulator; otherwise the non-secret
 * settings come from flags or CLEARANCE_* variables and the secrets from the environment only
 * (never argv, where `ps` and shell history would show them).
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
  if (flags.demo || gatewayName === 'demo') {
    const sim: Simulator = await startSimulator();
    return ok({
      client: { gateway: sim.url, credentials: { ...DEMO_CREDENTIALS }, format, ...(signMethod ? { signMethod } : {}) },
      demo: true,
      close: () => sim.close(),
    });
  }
  const gateway = resolveGatewayUrl(gatewayName ?? 'production');
  if (!gateway.ok) return gateway;
  const appKey = flags['app-key'] ?? env.CLEARANCE_APP_KEY;
  const appSecret = env.CLEARANCE_APP_SECRET;
  const session = env.CLEARANCE_SESSION;
  const missing = [!appKey && 'CLEARANCE_APP_KEY', !appSecret && 'CLEARANCE_APP_SECRET', !session && 'CLEARANCE_SESSION'].filter(Boolean);
  if (missing.length) return fail(clearanceError('config-missing', { detail: missing.join(', ') }));
  return ok({
    client: {
      gateway: gateway.value,
      credentials: { appKey: appKey as string, appSecret: appSecret as string, session: session as string },
      format,
      ...(signMethod ? { signMethod } : {}),
    },
    demo: false,
    close: async () => {},
  });
}
