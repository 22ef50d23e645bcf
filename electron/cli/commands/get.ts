import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkFetched, limitsFrom } from '../../core/checks';
import { DEMO_PROFILE } from '../../core/demo/simulator';
import { type Desk, openDesk } from '../../core/desk';
import { type ClearanceError, ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { fsError, writeFileAtomic } from '../../core/fsutil';
import { type ClearanceFetch, fetchClearance, type ImageSide } from '../../core/gateway/clearance';
import { TopClient } from '../../core/gateway/client';
import { normalizeOrderId } from '../../core/gateway/order-id';
import { shanghaiDate } from '../../core/gateway/timestamp';
import {
  credentialTypeLabel,
  maskIdNumber,
  maskName,
  validateIdentity,
  type WarningCode,
  warningText,
} from '../../core/idcard';
import { resolveScanned } from '../../core/orders/scan';
import { OrderStore } from '../../core/orders/store';
import type { Finding } from '../../core/orders/types';
import { EXPIRY_STATUS_LABELS, type ExpiryStatus, labelIn } from '../../core/rules';
import { KeytarSecretStore, secretFilesFrom } from '../../core/secrets';
import { resolveDataDir } from '../../core/settings/paths';
import { vaultExists } from '../../core/vault/open';
import { CONNECTION_OPTIONS, type ConnectionFlags, resolveConnection } from '../connection';
import { type Io, printError, say, shown } from '../output';
import { teamCopy } from '../team-sync';
import type { Command } from './types';

export const getCommand: Command = {
  name: 'get',
  summary: {
    zh: '从网关获取一个订单的清关身份信息',
    en: "Fetch one order's clearance identity from the gateway",
  },
  usage:
    'get <order_id> [--image] [--json] [--reveal] [--demo] [--out DIR] [--profile P] [--no-store] [--gateway G [--keep-secrets]] [--app-key K] [--sign-method M]',
  options: {
    image: { type: 'boolean' },
    json: { type: 'boolean' },
    reveal: { type: 'boolean' },
    out: { type: 'string' },
    'no-store': { type: 'boolean' },
    ...CONNECTION_OPTIONS,
  },
  async run({ positionals, values, io, env, cwd, signal }) {
    const json = values.json === true;
    if (positionals.length !== 1) {
      printError(io, clearanceError('usage', { detail: 'get <order_id>' }), json);
      return 2;
    }
    const id = await scannedOrder(env, positionals[0] as string);
    if (!id.ok) {
      printError(io, id.error, json);
      return exitCodeFor(id.error.kind);
    }
    const conn = await resolveConnection(values as ConnectionFlags, env);
    if (!conn.ok) {
      printError(io, conn.error, json);
      return exitCodeFor(conn.error.kind);
    }
    try {
      const client = new TopClient({
        ...conn.value.client,
        // Log lines carry the order id, request id and outcome only: never a name, ID number or URL.
        onCall: values.verbose
          ? (e) =>
              io.stderr(
                `call ${e.method} order=${e.orderId} attempt=${e.attempt} ${e.ms}ms ${e.outcome}${e.requestId ? ` request=${e.requestId}` : ''}\n`,
              )
          : undefined,
      });
      // In a team, an order the team already holds is served from its copy: no gateway call.
      const fromTeam = await teamCopy(env, id.value, values.image === true);
      const got = fromTeam
        ? { ok: true as const, value: fromTeam }
        : await fetchClearance(client, id.value, { needImage: values.image === true, signal });
      if (!got.ok) {
        conn.value.reportFailure(got.error);
        if (got.error.kind === 'business') await noteWaiting(env, id.value, got.error, conn.value.profile);
        printError(io, got.error, json);
        return exitCodeFor(got.error.kind);
      }
      // Kept in the vault (and audited) before anything is shown; unmasked output is audited as a reveal.
      const profile = conn.value.profile ?? (conn.value.demo ? DEMO_PROFILE : 'env');
      const unmasked = json || values.reveal === true;
      const keep = values['no-store'] !== true && !fromTeam;
      // Even with --no-store, unmasked output needs its audit entry first (PIPL): no entry, no full data.
      // `--demo` on a machine with nowhere to keep a vault key: a throwaway vault for this run only.
      const throwaway = conn.value.demo && (keep || unmasked) && !(await vaultKeyReachable(env));
      if (throwaway)
        io.stderr(
          `! ${say(io, '演示：系统钥匙串不可用，本次使用临时演示库（运行结束即删除），未触碰正式加密库。', 'Demo: no system keychain here, so this run uses a throwaway demo vault (deleted when it ends); the real vault is untouched.')}\n`,
        );
      const storeEnv = throwaway ? throwawayEnv(env) : env;
      const declarationDate = shanghaiDate(new Date());
      let storeProblem: ClearanceError | undefined;
      let findings: Finding[] | undefined;
      try {
        if (keep || unmasked)
          ({ problem: storeProblem, findings } = await store(storeEnv, got.value, profile, {
            keep,
            unmasked,
            json,
            memory: throwaway,
            declarationDate,
          }));
      } finally {
        if (throwaway) rmSync(storeEnv.CLEARANCE_DATA_DIR as string, { recursive: true, force: true });
      }
      // A throwaway vault holds no sheet: the checks then see the identity alone, as without a vault.
      findings ??= await fetchedFindings(throwaway ? undefined : env, got.value, declarationDate);
      const revealed = unmasked && !storeProblem;
      const saved = saveImages(got.value, resolve(cwd, (values.out as string | undefined) ?? '.'));
      if (!saved.ok) {
        printError(io, saved.error, json);
        return 1;
      }
      const v = validateIdentity(
        { ...got.value.identity, hasImages: Boolean(got.value.images.front || got.value.images.back) },
        declarationDate,
      );
      // Warnings the user asked not to hear about: no images when images were not requested.
      const codes = v.warnings.filter((w) => values.image || w !== 'images-missing');
      const warnings = [
        ...codes.map((code) => ({ code, message: warningText(code, io.lang) })),
        ...got.value.warnings.map((w) => ({ code: w.reason, message: w.message[io.lang] })),
        ...(storeProblem ? [{ code: storeProblem.reason, message: storeProblem.message[io.lang] }] : []),
      ];
      const stored = (keep || fromTeam !== undefined) && !storeProblem && !throwaway;
      const found = findings.map((f) => ({
        code: f.code,
        message: f.message[io.lang === 'en-US' ? 'en' : 'zh'],
      }));
      if (json) printJson(io, got.value, saved.paths, warnings, found, stored, revealed);
      else {
        const problems = storeProblem ? [...got.value.warnings, storeProblem] : got.value.warnings;
        printCard(
          io,
          got.value,
          saved.paths,
          codes,
          problems,
          values.reveal === true && revealed,
          conn.value.demo,
          v.expiry.status,
          found,
        );
      }
      // The lookup worked but was not kept: say so in the exit status, so a script notices.
      return storeProblem ? exitCodeFor(storeProblem.kind) : 0;
    } finally {
      await conn.value.close();
    }
  },
};

/**
 * The order a scanned value names: a waybill on the imported sheet (when there is a vault to look
 * in), else an order id. Without a vault, or when it cannot be opened, an order id still works.
 */
async function scannedOrder(
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<{ ok: true; value: string } | { ok: false; error: ClearanceError }> {
  const plain = normalizeOrderId(input);
  if (!vaultExists(resolveDataDir(env))) return plain;
  let desk: Desk | undefined;
  try {
    desk = openDesk({ env, channel: 'cli' });
    const r = resolveScanned(new OrderStore(await desk.vault()), input);
    return r.ok ? { ok: true, value: r.orderId } : { ok: false, error: r.error };
  } catch (err) {
    if (!(err instanceof ClearanceFailure)) throw err;
    return plain.ok ? plain : { ok: false, error: err.error };
  } finally {
    desk?.close();
  }
}

/** An order on the imported sheet that has no identity yet goes on the waiting list. */
async function noteWaiting(
  env: NodeJS.ProcessEnv,
  orderId: string,
  error: ClearanceError,
  profile: string | null,
) {
  if (!vaultExists(resolveDataDir(env))) return;
  let desk: Desk | undefined;
  try {
    desk = openDesk({ env, channel: 'cli' });
    const orders = new OrderStore(await desk.vault());
    if (orders.get(orderId)) orders.wait(orderId, error, profile);
  } catch (err) {
    // The lookup's own failure is what the user needs to hear about; the list is a convenience.
    if (!(err instanceof ClearanceFailure)) throw err;
  } finally {
    desk?.close();
  }
}

type Paths = Record<ImageSide, string | null>;

/**
 * Whether a vault key can be kept here: a key file is named, or the keychain answers. The probe
 * uses an entry of its own, so it touches neither the data folder nor the real vault.
 */
async function vaultKeyReachable(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (secretFilesFrom(env).vaultKey) return true;
  try {
    await new KeytarSecretStore(() => 'reachability').get('probe');
    return true;
  } catch (err) {
    if (err instanceof ClearanceFailure && err.error.kind === 'keychain') return false;
    throw err;
  }
}

/** The environment of this run's throwaway demo vault: a fresh temp data folder, secrets in memory. */
function throwawayEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const t: NodeJS.ProcessEnv = { ...env, CLEARANCE_DATA_DIR: mkdtempSync(join(tmpdir(), 'clearance-demo-')) };
  delete t.CLEARANCE_VAULT_KEY_FILE;
  return t;
}

function saveImages(
  f: ClearanceFetch,
  dir: string,
): { ok: true; paths: Paths } | { ok: false; error: ClearanceError } {
  const paths: Paths = { front: null, back: null };
  try {
    for (const side of ['front', 'back'] as const) {
      const img = f.images[side];
      if (!img) continue;
      const path = join(dir, `${f.identity.orderId}-${side}.${img.mime === 'image/png' ? 'png' : 'jpg'}`);
      writeFileAtomic(path, img.bytes);
      paths[side] = path;
    }
    return { ok: true, paths };
  } catch (err) {
    return { ok: false, error: fsError(err) };
  }
}

/**
 * Store one fetch in the data folder's vault (unless `keep` is false) and write its audit entries:
 * 'fetch' with the record, and 'reveal' when the output is unmasked. A failure is returned, not
 * thrown: the lookup itself succeeded, but nothing unmasked may be shown without its audit entry.
 */
async function store(
  env: NodeJS.ProcessEnv,
  fetched: ClearanceFetch,
  profile: string,
  o: { keep: boolean; unmasked: boolean; json: boolean; memory?: boolean; declarationDate: string },
): Promise<{ problem?: ClearanceError; findings?: Finding[] }> {
  let desk: Desk | undefined;
  try {
    desk = openDesk({ env, channel: 'cli', ...(o.memory ? { secretsMode: 'memory' as const } : {}) });
    const vault = await desk.vault();
    if (o.keep) vault.saveFetch(fetched, profile, { channel: 'cli' });
    // The vault is open now: the checks read the order's sheet row and the person's other orders.
    const findings = o.memory
      ? undefined
      : checkFetched(vault, fetched.identity, {
          declarationDate: o.declarationDate,
          limits: limitsFrom(desk.settings.preferences()),
        });
    if (o.unmasked) {
      vault.audit({
        action: 'reveal',
        profile,
        orderIds: [fetched.identity.orderId],
        detail: { channel: 'cli', command: 'get', output: o.json ? 'json' : 'text', stored: o.keep },
      });
    }
    return findings ? { findings } : {};
  } catch (err) {
    if (err instanceof ClearanceFailure) return { problem: err.error };
    throw err;
  } finally {
    desk?.close();
  }
}

/**
 * The checks before declaring for an order that was not stored (or whose store failed): against
 * the data folder's vault when there is one to open, else on the identity alone.
 */
async function fetchedFindings(
  env: NodeJS.ProcessEnv | undefined,
  fetched: ClearanceFetch,
  declarationDate: string,
): Promise<Finding[]> {
  if (env && vaultExists(resolveDataDir(env))) {
    let desk: Desk | undefined;
    try {
      desk = openDesk({ env, channel: 'cli' });
      const limits = limitsFrom(desk.settings.preferences());
      return checkFetched(await desk.vault(), fetched.identity, { declarationDate, limits });
    } catch (err) {
      // A vault that cannot be opened is the store's problem to report; the checks fall back.
      if (!(err instanceof ClearanceFailure)) throw err;
    } finally {
      desk?.close();
    }
  }
  return checkFetched(undefined, fetched.identity, { declarationDate });
}

function printJson(
  io: Io,
  f: ClearanceFetch,
  images: Paths,
  warnings: { code: string; message: string }[],
  findings: { code: string; message: string }[],
  stored: boolean,
  revealed: boolean,
) {
  const { identity: i } = f;
  const record = {
    orderId: i.orderId,
    name: revealed ? i.name : maskName(i.name),
    idNumber: revealed ? i.idNumber : maskIdNumber(i.idNumber),
    expiry: i.expiry,
    idType: i.idType,
    images,
  };
  io.stdout(
    `${JSON.stringify({ ok: true, record, masked: !revealed, warnings, findings, stored, requestId: f.requestId ?? null })}\n`,
  );
}

function printCard(
  io: Io,
  f: ClearanceFetch,
  images: Paths,
  codes: WarningCode[],
  problems: ClearanceError[],
  reveal: boolean,
  demo: boolean,
  expiryStatus: ExpiryStatus,
  findings: { code: string; message: string }[],
) {
  // Labels padded to one column on a terminal, where a Chinese character takes two cells.
  const label = (zh: string, en: string) => {
    const text = say(io, zh, en);
    const cells = [...text].reduce((n, ch) => n + (/[\u1100-\uffef]/u.test(ch) ? 2 : 1), 0);
    return text + ' '.repeat(Math.max(1, 12 - cells));
  };
  const i = f.identity;
  const lines = [
    demo ? say(io, '【演示 DEMO】演示网关的虚构数据', '[DEMO 演示] invented data from the demo gateway') : '',
    `${label('订单号', 'Order')}${i.orderId}`,
    `${label('姓名', 'Name')}${shown(reveal ? i.name : maskName(i.name))}`,
    `${label('证件号码', 'ID number')}${shown(reveal ? i.idNumber : maskIdNumber(i.idNumber))}`,
    `${label('证件类型', 'Type')}${credentialTypeLabel(i.idType, io.lang)}`,
    `${label('有效期', 'Expiry')}${shown(i.expiry)} (${labelIn(EXPIRY_STATUS_LABELS[expiryStatus], io.lang)})`,
    images.front || images.back
      ? `${label('证件照片', 'Images')}${[images.front, images.back].filter(Boolean).join('  ')}`
      : '',
    ...codes.map((c) => `! ${warningText(c, io.lang)}`),
    ...problems.map((p) => `! ${shown(p.message[io.lang])}`),
    // The checks before declaring (the same engine as `check` and the export); never a full ID number.
    ...findings.map((f) => `✗ ${shown(f.message)} [${f.code}]`),
    reveal ? '' : say(io, '（已遮盖；使用 --reveal 显示完整信息）', '(masked; use --reveal to show in full)'),
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
}
