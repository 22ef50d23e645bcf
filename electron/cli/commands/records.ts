import { type Desk, openDesk } from '../../core/desk';
import { ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { normalizeOrderId } from '../../core/gateway/order-id';
import { shanghaiTimestamp } from '../../core/gateway/timestamp';
import {
  credentialTypeLabel,
  type ExpiryStatus,
  maskIdNumber,
  maskName,
  warningText,
} from '../../core/idcard';
import { EXPIRY_STATUS_LABELS, labelIn, RECORD_FLAG_LABELS, RECORD_FLAGS } from '../../core/rules';
import { openTeam } from '../../core/team/team';
import { findByIdNumber, idNumberText, type TeamSearch } from '../../core/vault/id-search';
import type { RecordFlag, RecordPage, RecordQuery, StoredRecord, Vault } from '../../core/vault/types';
import { type Io, printError, say, shown } from '../output';
import { readAll, readHidden } from './profile';
import type { Command, CommandContext } from './types';

const USAGE = [
  'records list [--search TEXT | --id-number ID|-] [--flag expired|expiring|invalid|no-images]… [--profile P] [--from DATE] [--to DATE] [--sort fetched|order|expiry] [--asc] [--limit N] [--offset N] [--json] [--reveal]',
  'records show <order_id> [--json] [--reveal]',
  'records forget <order_id>…',
  'records purge [--older-than DAYS] [--json]',
];

const FLAGS: readonly RecordFlag[] = RECORD_FLAGS;
const SORTS = { fetched: 'fetchedAt', order: 'orderId', expiry: 'expiry' } as const;

/**
 * The desk for one command (settings, keychain, vault); failures become the table's messages and
 * exit status. Shared by `records`, `audit` and `get`.
 */
export async function withDesk(ctx: CommandContext, fn: (desk: Desk) => Promise<number>): Promise<number> {
  const json = ctx.values.json === true;
  let desk: Desk | undefined;
  try {
    desk = openDesk({ env: ctx.env, channel: 'cli' });
    return await fn(desk);
  } catch (err) {
    if (!(err instanceof ClearanceFailure)) throw err;
    printError(ctx.io, err.error, json);
    return exitCodeFor(err.error.kind);
  } finally {
    desk?.close();
  }
}

const usage = (io: Io, json: boolean, detail: string) => {
  printError(io, clearanceError('usage', { detail }), json);
  return 2;
};

const status = (io: Io, s: ExpiryStatus) => labelIn(EXPIRY_STATUS_LABELS[s], io.lang);

/** Shanghai wall-clock time, as the users and the gateway read it. */
export const localTime = (iso: string) => shanghaiTimestamp(new Date(iso));

/** One record as the command prints it in JSON: masked unless revealed (the reveal is audited by the caller). */
export function recordJson(r: StoredRecord, reveal: boolean, io: Io) {
  return {
    orderId: r.orderId,
    profile: r.profile,
    firstFetchedAt: r.firstFetchedAt,
    fetchedAt: r.fetchedAt,
    name: reveal ? r.name : maskName(r.name),
    idNumber: reveal ? r.idNumber : maskIdNumber(r.idNumber),
    masked: !reveal,
    expiry: r.expiry,
    expiryDate: r.validation.expiry.date ?? null,
    expiryStatus: r.validation.expiry.status,
    idType: r.idType,
    idForm: r.validation.form,
    images: r.images,
    flags: r.validation.flags,
    warnings: r.validation.warnings.map((code) => ({ code, message: warningText(code, io.lang) })),
    requestId: r.requestId,
  };
}

function flagText(io: Io, r: StoredRecord): string {
  const f = r.validation.flags;
  const on: RecordFlag[] = [];
  if (f.invalid) on.push('invalid');
  if (f.expired) on.push('expired');
  if (f.expiring) on.push('expiring');
  if (f.noImages) on.push('no-images');
  return on.map((k) => labelIn(RECORD_FLAG_LABELS[k], io.lang)).join(',');
}

function auditReveal(vault: Vault, rows: StoredRecord[], command: string) {
  if (!rows.length) return;
  const profiles = [...new Set(rows.map((r) => r.profile))];
  vault.audit({
    action: 'reveal',
    profile: profiles.length === 1 ? (profiles[0] as string) : null,
    orderIds: rows.map((r) => r.orderId),
    detail: { channel: 'cli', command, count: rows.length },
  });
}

function intOption(v: unknown): number | undefined | 'bad' {
  if (v === undefined) return undefined;
  const s = String(v);
  return /^\d{1,9}$/.test(s) ? Number(s) : 'bad';
}

/**
 * `--id-number`: the number itself, or `-` to read it from stdin (a hidden prompt on a terminal,
 * else the first line), so it need not be in the shell's history. Never echoed, not even in an error.
 */
export async function idNumberOption(ctx: CommandContext): Promise<string | null | 'bad'> {
  const v = ctx.values['id-number'];
  if (typeof v !== 'string') return null;
  let raw = v;
  if (v === '-') {
    const { stdin, io } = ctx;
    raw = stdin.isTTY
      ? await readHidden(stdin, io, say(io, '证件号码: ', 'ID number: '))
      : ((await readAll(stdin)).split(/\r?\n/)[0] ?? '');
  }
  return idNumberText(raw) ?? 'bad';
}

async function list(ctx: CommandContext, desk: Desk, vault: Vault): Promise<number> {
  const { values, io } = ctx;
  const json = values.json === true;
  const reveal = values.reveal === true;
  const flags = ((values.flag as string[] | undefined) ?? []).flatMap((f) => f.split(','));
  const bad = flags.find((f) => !FLAGS.includes(f as RecordFlag));
  if (bad) return usage(io, json, `--flag ${bad}: ${FLAGS.join(' | ')}`);
  const sortName = (values.sort as string | undefined) ?? 'fetched';
  if (!(sortName in SORTS)) return usage(io, json, `--sort ${sortName}: fetched | order | expiry`);
  const limit = intOption(values.limit);
  const offset = intOption(values.offset);
  if (limit === 'bad' || offset === 'bad') return usage(io, json, '--limit/--offset: a whole number');
  const q: RecordQuery = {
    flags: flags as RecordFlag[],
    sort: SORTS[sortName as keyof typeof SORTS],
    order: values.asc ? 'asc' : 'desc',
    limit: limit ?? 50,
    offset: offset ?? 0,
  };
  const idNumber = await idNumberOption(ctx);
  if (idNumber === 'bad')
    return usage(io, json, '--id-number: 17 digits and a check character (or - for stdin)');
  if (idNumber !== null && typeof values.search === 'string')
    return usage(io, json, '--search and --id-number: one or the other');
  if (typeof values.search === 'string') q.text = values.search;
  if (typeof values.profile === 'string') q.profile = values.profile;
  if (typeof values.from === 'string') q.fetchedFrom = values.from;
  if (typeof values.to === 'string') q.fetchedTo = values.to;
  let page: RecordPage;
  let team: TeamSearch = 'off';
  if (idNumber !== null) {
    // Exact, audited; in a team also the team's records (by the blind index), out of reach or not.
    const { limit: _l, offset: _o, ...filters } = q;
    const found = await findByIdNumber(vault, idNumber, {
      channel: 'cli',
      profile: null,
      team: await openTeam(desk, ctx.env).catch((err: unknown) => {
        if (err instanceof ClearanceFailure) return null; // e.g. the team key not in this keychain
        throw err;
      }),
      query: filters,
    });
    team = found.team;
    const rows = found.orderIds
      .slice(q.offset, (q.offset ?? 0) + (q.limit ?? 50))
      .flatMap((id) => vault.get(id) ?? []);
    page = { rows, total: found.orderIds.length };
  } else page = vault.search(q);
  // The reveal is on the record before anything is printed.
  if (reveal) auditReveal(vault, page.rows, 'records list');
  if (json) {
    io.stdout(
      `${JSON.stringify({ ok: true, total: page.total, offset: q.offset, ...(idNumber !== null ? { team } : {}), rows: page.rows.map((r) => recordJson(r, reveal, io)) })}\n`,
    );
    return 0;
  }
  const lines = page.rows.map((r) =>
    [
      r.orderId.padEnd(20),
      localTime(r.fetchedAt).slice(0, 16),
      shown(reveal ? r.name : maskName(r.name)).padEnd(6),
      shown(reveal ? r.idNumber : maskIdNumber(r.idNumber)).padEnd(18),
      `${shown(r.expiry)} (${status(io, r.validation.expiry.status)})`,
      flagText(io, r),
    ].join('  '),
  );
  const footer = say(
    io,
    `共 ${page.total} 条，显示第 ${page.rows.length ? q.offset! + 1 : 0}–${q.offset! + page.rows.length} 条${reveal ? '' : '（已遮盖；--reveal 显示完整信息）'}`,
    `${page.total} records, showing ${page.rows.length ? q.offset! + 1 : 0}–${q.offset! + page.rows.length}${reveal ? '' : ' (masked; --reveal shows them in full)'}`,
  );
  const teamLine =
    team === 'unreachable'
      ? [
          say(
            io,
            '（团队服务器无法连接：只搜索了本机记录）',
            '(team server out of reach: this desk’s records only)',
          ),
        ]
      : [];
  io.stdout(`${[...lines, footer, ...teamLine].join('\n')}\n`);
  return 0;
}

async function show(ctx: CommandContext, vault: Vault, raw: string): Promise<number> {
  const { values, io } = ctx;
  const json = values.json === true;
  const reveal = values.reveal === true;
  const id = normalizeOrderId(raw);
  if (!id.ok) {
    printError(io, id.error, json);
    return exitCodeFor(id.error.kind);
  }
  const r = vault.get(id.value);
  if (!r) {
    printError(io, clearanceError('not-found', { orderId: id.value }), json);
    return 2;
  }
  if (reveal) auditReveal(vault, [r], 'records show');
  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, record: recordJson(r, reveal, io) })}\n`);
    return 0;
  }
  const img = (side: 'front' | 'back') => {
    const i = r.images[side];
    return i ? `${i.mime} ${Math.round(i.bytes / 1024)} KB` : '—';
  };
  const lines = [
    `${say(io, '订单号', 'Order')}      ${r.orderId}`,
    `${say(io, '账号', 'Profile')}     ${shown(r.profile)}`,
    `${say(io, '获取时间', 'Fetched')}     ${localTime(r.fetchedAt)} (${say(io, '首次', 'first')} ${localTime(r.firstFetchedAt)}) ${say(io, '北京时间', 'Beijing time')}`,
    `${say(io, '姓名', 'Name')}        ${shown(reveal ? r.name : maskName(r.name))}`,
    `${say(io, '证件号码', 'ID number')}   ${shown(reveal ? r.idNumber : maskIdNumber(r.idNumber))}`,
    `${say(io, '证件类型', 'Type')}        ${credentialTypeLabel(r.idType, io.lang)}`,
    `${say(io, '有效期', 'Expiry')}      ${shown(r.expiry)} (${status(io, r.validation.expiry.status)})`,
    `${say(io, '正面照片', 'Front image')} ${img('front')}`,
    `${say(io, '背面照片', 'Back image')}  ${img('back')}`,
    r.requestId ? `${say(io, '请求编号', 'Request id')}  ${shown(r.requestId)}` : '',
    ...r.validation.warnings.map((c) => `! ${warningText(c, io.lang)}`),
    reveal ? '' : say(io, '（已遮盖；使用 --reveal 显示完整信息）', '(masked; use --reveal to show in full)'),
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
  return 0;
}

async function forget(ctx: CommandContext, vault: Vault, raws: string[]): Promise<number> {
  const { values, io } = ctx;
  const json = values.json === true;
  const ids: string[] = [];
  for (const raw of raws) {
    const id = normalizeOrderId(raw);
    if (!id.ok) {
      printError(io, id.error, json);
      return exitCodeFor(id.error.kind);
    }
    ids.push(id.value);
  }
  const unknown = ids.filter((id) => !vault.get(id));
  const n = vault.forget(ids, { profile: null, channel: 'cli' });
  if (json) io.stdout(`${JSON.stringify({ ok: true, forgotten: n, notFound: unknown })}\n`);
  else {
    io.stdout(
      `${say(io, `已删除 ${n} 条记录（连同照片和原始回复）。`, `Forgot ${n} record(s) (with their images and raw replies).`)}\n`,
    );
    if (unknown.length) io.stdout(`${say(io, '本地没有这些订单：', 'Not stored: ')}${unknown.join(' ')}\n`);
  }
  return 0;
}

async function purge(ctx: CommandContext, desk: Desk, vault: Vault): Promise<number> {
  const { values, io } = ctx;
  const json = values.json === true;
  const days = intOption(values['older-than']);
  if (days === 'bad') return usage(io, json, '--older-than DAYS: a whole number');
  const prefs = desk.settings.preferences();
  const recordDays = days ?? prefs.retentionDays;
  const imageDays =
    prefs.imageRetentionDays !== undefined ? Math.min(prefs.imageRetentionDays, recordDays) : undefined;
  const out = vault.purge({
    recordDays,
    ...(imageDays !== undefined ? { imageDays } : {}),
    auditDays: prefs.auditRetentionDays,
    channel: 'cli',
  });
  if (json) io.stdout(`${JSON.stringify({ ok: true, recordDays, ...out })}\n`);
  else
    io.stdout(
      `${say(
        io,
        `已清除 ${out.records} 条超过 ${recordDays} 天的记录、${out.images} 张照片、${out.audit} 条过期审计记录。`,
        `Purged ${out.records} record(s) older than ${recordDays} days, ${out.images} image(s) and ${out.audit} expired audit entr${out.audit === 1 ? 'y' : 'ies'}.`,
      )}\n`,
    );
  return 0;
}

export const recordsCommand: Command = {
  name: 'records',
  summary: {
    zh: '查看、搜索、删除本地加密库中的记录（默认遮盖；--reveal 会被审计）',
    en: 'List, search, show, forget and purge the records in the local encrypted vault (masked; --reveal is audited)',
  },
  usage: USAGE.join('\n  '),
  options: {
    search: { type: 'string' },
    'id-number': { type: 'string' },
    flag: { type: 'string', multiple: true },
    profile: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    sort: { type: 'string', choices: ['fetched', 'order', 'expiry'] },
    asc: { type: 'boolean' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    json: { type: 'boolean' },
    reveal: { type: 'boolean' },
    'older-than': { type: 'string' },
  },
  async run(ctx) {
    const { positionals, io, values } = ctx;
    const json = values.json === true;
    const [sub, ...rest] = positionals;
    if (sub === 'list' && rest.length === 0) return withDesk(ctx, async (d) => list(ctx, d, await d.vault()));
    if (sub === 'show' && rest.length === 1)
      return withDesk(ctx, async (d) => show(ctx, await d.vault(), rest[0] as string));
    if (sub === 'forget' && rest.length > 0)
      return withDesk(ctx, async (d) => forget(ctx, await d.vault(), rest));
    if (sub === 'purge' && rest.length === 0)
      return withDesk(ctx, async (d) => purge(ctx, d, await d.vault()));
    return usage(io, json, USAGE.join(' | '));
  },
};
