/**
 * Settings → Team: join or create a team (the join code is shown once), the server, last sync,
 * outbox and desks, sync now, leave. And `TeamSyncIndicator` for the status bar. Its words live
 * here, so the team is one self-contained piece of the renderer.
 */
import { useCallback, useEffect, useState } from 'react';
import type { TeamView } from '../../../electron/contract';
import { type ClearanceError, invoke, subscribe } from '../api';
import { useI18n } from '../i18n';

const WORDS = {
  'zh-CN': {
    title: '团队',
    intro: '多台机器通过 PostgreSQL 共享记录、审计日志和调用额度。服务器只保存加密后的个人信息。',
    server: '服务器地址',
    serverHint: 'postgres://用户@主机[:端口]/数据库（不要写密码）',
    password: '数据库密码',
    ca: 'CA 证书文件（可选）',
    name: '本机名称（可选）',
    joinCode: '加入码',
    join: '加入团队',
    init: '创建新团队',
    joinCodeOnce: '加入码只显示这一次：请复制并安全地交给其他机器。',
    desk: '本机',
    lastSync: '上次同步',
    never: '从未',
    outbox: '待上传',
    desks: '团队成员',
    syncNow: '立即同步',
    leave: '退出团队',
    leaveConfirm: '退出团队？本地记录会保留。',
    state: {
      off: '未加入团队',
      syncing: '正在同步…',
      synced: '已同步',
      pending: '有待上传的改动',
      offline: '服务器不可达（离线工作）',
      problem: '同步出错',
    },
  },
  'en-US': {
    title: 'Team',
    intro:
      'Desks share records, the audit log and the call budget on PostgreSQL. The server holds personal data only sealed.',
    server: 'Server address',
    serverHint: 'postgres://user@host[:port]/database (no password here)',
    password: 'Database password',
    ca: 'CA certificate file (optional)',
    name: 'Desk name (optional)',
    joinCode: 'Join code',
    join: 'Join team',
    init: 'Create a new team',
    joinCodeOnce: 'The join code is shown this once: copy it and hand it to the other desks safely.',
    desk: 'This desk',
    lastSync: 'Last sync',
    never: 'never',
    outbox: 'Outbox',
    desks: 'Desks',
    syncNow: 'Sync now',
    leave: 'Leave team',
    leaveConfirm: 'Leave the team? Local records are kept.',
    state: {
      off: 'Not in a team',
      syncing: 'Syncing…',
      synced: 'Synced',
      pending: 'Changes waiting',
      offline: 'Server unreachable (working offline)',
      problem: 'Sync problem',
    },
  },
} as const;

function useTeam() {
  const [team, setTeam] = useState<TeamView | null>(null);
  useEffect(() => {
    void invoke('team.status', {}).then((r) => {
      if (r.ok) setTeam(r.value);
    });
    return subscribe('team.status', setTeam);
  }, []);
  return [team, setTeam] as const;
}

/** The status bar's sync state; nothing outside a team. */
export function TeamSyncIndicator() {
  const { lang } = useI18n();
  const [team] = useTeam();
  if (!team?.joined) return null;
  const w = WORDS[lang];
  const alert = team.state === 'offline' || team.state === 'problem';
  return (
    <div className={`status-item ${alert ? 'status-alert' : ''}`} role="status" data-team-state={team.state}>
      <span className={`net-dot ${alert ? 'net-off' : 'net-on'}`} aria-hidden="true" />
      {w.title}: {w.state[team.state]}
      {team.outbox > 0 ? ` (${team.outbox})` : ''}
    </div>
  );
}

export function TeamPanel() {
  const { lang, pick, dateTime } = useI18n();
  const w = WORDS[lang];
  const [team, setTeam] = useTeam();
  const [form, setForm] = useState({ server: '', password: '', ca: '', name: '', joinCode: '' });
  const [error, setError] = useState<ClearanceError | null>(null);
  const [joinCode, setJoinCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = useCallback(
    async (fn: () => Promise<{ ok: true; value: TeamView } | { ok: false; error: ClearanceError }>) => {
      setBusy(true);
      const r = await fn();
      setBusy(false);
      if (r.ok) {
        setTeam(r.value);
        setError(r.value.problem);
      } else setError(r.error);
      return r;
    },
    [setTeam],
  );

  const server = {
    server: form.server.trim(),
    ...(form.password ? { password: form.password } : {}),
    ...(form.ca.trim() ? { ca: form.ca.trim() } : {}),
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
  };

  return (
    <section className="panel" aria-labelledby="team-title">
      <h2 id="team-title" className="panel-title">
        {w.title}
      </h2>
      <p className="muted">{w.intro}</p>
      {error && (
        <p className="notice notice-error" role="alert">
          {pick(error.message)}
        </p>
      )}
      {joinCode && (
        <div className="notice notice-info" role="status">
          <p>{w.joinCodeOnce}</p>
          <code className="mono">{joinCode}</code>
        </div>
      )}
      {team?.joined ? (
        <div>
          <dl className="fields-meta">
            <dt>{w.server}</dt>
            <dd>{team.server}</dd>
            <dt>{w.desk}</dt>
            <dd>{team.deskLabel}</dd>
            <dt>{w.lastSync}</dt>
            <dd>{team.lastSync ? dateTime(team.lastSync) : w.never}</dd>
            <dt>{w.outbox}</dt>
            <dd data-testid="team-outbox">{team.outbox}</dd>
            <dt>{w.desks}</dt>
            <dd>
              <ul className="plain-list">
                {team.desks.map((d) => (
                  <li key={`${d.label}-${d.host}-${d.osUser}`}>
                    {d.self ? '★ ' : ''}
                    {d.label} · {d.osUser}@{d.host} · {dateTime(d.lastSeen)}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
          <p>{w.state[team.state]}</p>
          <div className="profile-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() => void run(() => invoke('team.sync', {}))}
            >
              {w.syncNow}
            </button>
            <button
              type="button"
              className="button button-danger-quiet"
              disabled={busy}
              onClick={() => {
                if (window.confirm(w.leaveConfirm)) void run(() => invoke('team.leave', {}));
              }}
            >
              {w.leave}
            </button>
          </div>
        </div>
      ) : (
        <form className="form-grid" onSubmit={(e) => e.preventDefault()}>
          <label className="field field-wide">
            <span>{w.server}</span>
            <input
              value={form.server}
              placeholder={w.serverHint}
              onChange={(e) => setForm({ ...form, server: e.target.value })}
              autoComplete="off"
            />
          </label>
          <label className="field">
            <span>{w.password}</span>
            <input
              type="password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
              autoComplete="new-password"
            />
          </label>
          <label className="field">
            <span>{w.ca}</span>
            <input value={form.ca} onChange={(e) => setForm({ ...form, ca: e.target.value })} />
          </label>
          <label className="field">
            <span>{w.name}</span>
            <input
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
              maxLength={60}
            />
          </label>
          <label className="field field-wide">
            <span>{w.joinCode}</span>
            <input
              type="password"
              value={form.joinCode}
              onChange={(e) => setForm({ ...form, joinCode: e.target.value })}
              autoComplete="off"
            />
          </label>
          <div className="profile-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={busy || !form.server || !form.joinCode}
              onClick={() =>
                void run(() => invoke('team.join', { ...server, joinCode: form.joinCode.trim() }))
              }
            >
              {w.join}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy || !form.server}
              onClick={async () => {
                setBusy(true);
                const r = await invoke('team.init', server);
                setBusy(false);
                if (r.ok) {
                  const { joinCode: code, ...view } = r.value;
                  setJoinCode(code);
                  setTeam(view);
                  setError(view.problem);
                } else setError(r.error);
              }}
            >
              {w.init}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
