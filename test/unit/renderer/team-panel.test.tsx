// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TeamView } from '../../../electron/contract';
import { TeamPanel, TeamSyncIndicator } from '../../../renderer/src/components/TeamPanel';
import { I18nContext, makeI18n } from '../../../renderer/src/i18n';

const joined: TeamView = {
  joined: true,
  state: 'pending',
  server: 'postgres://alice@db.example:5432/clearance (TLS)',
  deskLabel: 'desk-a',
  lastSync: '2025-06-15T04:00:00.000Z',
  outbox: 3,
  desks: [
    { label: 'desk-a', osUser: 'alice', host: 'pc1', lastSeen: '2025-06-15T04:00:00.000Z', self: true },
  ],
  problem: null,
};
const off: TeamView = {
  ...joined,
  joined: false,
  state: 'off',
  server: null,
  deskLabel: null,
  outbox: 0,
  desks: [],
};

/** A stand-in for the preload's bridge: answers by channel, records what was asked. */
function bridge(answers: Record<string, unknown>) {
  const asked: { channel: string; request: unknown }[] = [];
  const listeners = new Map<string, (p: unknown) => void>();
  (window as unknown as { clearance: unknown }).clearance = {
    invoke: async (channel: string, request: unknown) => {
      asked.push({ channel, request });
      return { ok: true, value: answers[channel] };
    },
    on: (event: string, l: (p: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    },
  };
  return { asked, emit: (event: string, p: unknown) => listeners.get(event)?.(p) };
}

const show = (node: React.ReactNode, lang: 'zh-CN' | 'en-US' = 'en-US') =>
  render(<I18nContext.Provider value={makeI18n(lang)}>{node}</I18nContext.Provider>);

afterEach(cleanup);

describe('TeamPanel', () => {
  it('outside a team offers join; the join code and password go only to team.join', async () => {
    const b = bridge({ 'team.status': off, 'team.join': joined });
    show(<TeamPanel />);
    const server = await screen.findByLabelText('Server address');
    fireEvent.change(server, { target: { value: 'postgres://alice@db.example/clearance' } });
    fireEvent.change(screen.getByLabelText('Join code'), { target: { value: 'CDT1-ABCDE-FGHJK' } });
    fireEvent.change(screen.getByLabelText('Database password'), { target: { value: 'pw' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Join team' }));
    });
    expect(b.asked.at(-1)).toEqual({
      channel: 'team.join',
      request: {
        server: 'postgres://alice@db.example/clearance',
        password: 'pw',
        joinCode: 'CDT1-ABCDE-FGHJK',
      },
    });
    expect(await screen.findByTestId('team-outbox')).toHaveProperty('textContent', '3');
  });

  it('the status bar shows the sync state and follows team.status events', async () => {
    const b = bridge({ 'team.status': joined });
    show(<TeamSyncIndicator />, 'zh-CN');
    expect((await screen.findByRole('status')).textContent).toContain('有待上传的改动 (3)');
    act(() => b.emit('team.status', { ...joined, state: 'offline', outbox: 5 }));
    expect(screen.getByRole('status').textContent).toContain('服务器不可达');
    act(() => b.emit('team.status', off));
    expect(screen.queryByRole('status')).toBeNull();
  });
});
