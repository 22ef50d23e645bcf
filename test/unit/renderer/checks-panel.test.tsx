// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppStatus, Preferences } from '../../../electron/contract';
import { I18nContext, makeI18n } from '../../../renderer/src/i18n';
import { AppContext, type AppCtx } from '../../../renderer/src/state';
import { ChecksPanel } from '../../../renderer/src/views/settings/ChecksPanel';
import { fenToYuan, readChecks, yuanToFen } from '../../../renderer/src/views/settings/checkLimits';

const prefs: Preferences = {
  language: 'zh-CN',
  retentionDays: 30,
  imageRetentionDays: null,
  auditRetentionDays: 180,
  expiringSoonDays: 30,
  watermarkText: '仅供清关使用',
  downloadImagesByDefault: true,
  sessionWarnDays: 7,
  orderLimitFen: 500_000,
  annualLimitFen: 2_600_000,
  sharedIdNames: 3,
  waitingRecheckMinutes: 30,
};

/** The preload's bridge: settings.setPreferences answers with the preferences it was given. */
function bridge() {
  const asked: { channel: string; request: unknown }[] = [];
  (window as unknown as { clearance: unknown }).clearance = {
    invoke: async (channel: string, request: Record<string, unknown>) => {
      asked.push({ channel, request });
      return { ok: true, value: { ...prefs, ...request } };
    },
    on: () => () => {},
  };
  return asked;
}

function show(lang: 'zh-CN' | 'en-US') {
  const app = {
    status: { preferences: prefs, activeProfile: { qps: 10 } } as unknown as AppStatus,
    setStatus(s: AppStatus) {
      app.status = s;
    },
    notices: [] as string[],
    notify(_tone: string, text: string) {
      app.notices.push(text);
    },
  };
  render(
    <I18nContext.Provider value={makeI18n(lang)}>
      <AppContext.Provider value={app as unknown as AppCtx}>
        <ChecksPanel />
      </AppContext.Provider>
    </I18nContext.Provider>,
  );
  return app;
}

afterEach(cleanup);

describe('amounts in yuan', () => {
  it('are read by the digits, with at most two decimals', () => {
    expect(yuanToFen('5000')).toBe(500_000);
    expect(yuanToFen('5,000.01')).toBe(500_001);
    expect(yuanToFen(' ¥26000.1 ')).toBe(2_600_010);
    expect(yuanToFen('0.29')).toBe(29);
    for (const bad of ['', '12.345', '5,00.00', '-1', '1e3', '五千', '5000.', '.5'])
      expect(yuanToFen(bad), bad).toBeNull();
    expect(fenToYuan(500_001)).toBe('5000.01');
    expect(fenToYuan(7)).toBe('0.07');
  });

  it('the form’s rules: positive, the annual limit not below the per-order one, interval 0 or 5–1440', () => {
    const t = makeI18n('en-US').t.checks;
    const ok = {
      orderLimitFen: '5000.00',
      annualLimitFen: '26000',
      sharedIdNames: '3',
      waitingRecheckMinutes: '0',
    };
    expect(readChecks(ok, t)).toEqual({
      ok: true,
      value: {
        orderLimitFen: 500_000,
        annualLimitFen: 2_600_000,
        sharedIdNames: 3,
        waitingRecheckMinutes: 0,
      },
    });
    const bad = readChecks(
      { orderLimitFen: '0.00', annualLimitFen: '26000', sharedIdNames: '1', waitingRecheckMinutes: '4' },
      t,
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        orderLimitFen: 'The amount must be more than 0',
        sharedIdNames: 'Enter a whole number from 2 to 100',
        waitingRecheckMinutes: 'Enter 0 (never) or a whole number of minutes from 5 to 1440',
      },
    });
    const below = readChecks({ ...ok, orderLimitFen: '30000' }, t);
    expect(below).toMatchObject({
      ok: false,
      errors: { annualLimitFen: 'The annual limit cannot be below the per-order limit' },
    });
    expect(readChecks({ ...ok, waitingRecheckMinutes: '1441' }, t).ok).toBe(false);
    expect(readChecks({ ...ok, waitingRecheckMinutes: '5' }, t).ok).toBe(true);
    expect(readChecks({ ...ok, annualLimitFen: '100000000.01' }, t)).toMatchObject({
      ok: false,
      errors: { annualLimitFen: 'The amount can be at most ¥100000000.00' },
    });
  });
});

describe('ChecksPanel', () => {
  it('shows the settings in yuan (Chinese first) and saves them in fen through the preferences', async () => {
    const asked = bridge();
    const app = show('zh-CN');
    const order = screen.getByLabelText('单笔限额（元）') as HTMLInputElement;
    expect(order.value).toBe('5000.00');
    expect((screen.getByLabelText(/年度限额/) as HTMLInputElement).value).toBe('26000.00');
    expect(screen.getByText(/每秒最多 10 次/)).toBeTruthy();
    fireEvent.change(order, { target: { value: '1,000.50' } });
    fireEvent.change(screen.getByLabelText(/自动重查间隔/), { target: { value: '15' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '保存检查设置' }));
    });
    expect(asked).toEqual([
      {
        channel: 'settings.setPreferences',
        request: {
          orderLimitFen: 100_050,
          annualLimitFen: 2_600_000,
          sharedIdNames: 3,
          waitingRecheckMinutes: 15,
        },
      },
    ]);
    expect(app.status.preferences.orderLimitFen).toBe(100_050);
    expect(order.value).toBe('1000.50');
    expect(app.notices).toEqual(['已保存']);
  });

  it('refuses a bad field in place, says why, focuses it and sends nothing', async () => {
    const asked = bridge();
    show('en-US');
    const order = screen.getByLabelText(/Per-order limit/) as HTMLInputElement;
    fireEvent.change(order, { target: { value: '12.345' } });
    fireEvent.change(screen.getByLabelText(/Recheck every/), { target: { value: '2' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save check settings' }));
    });
    expect(asked).toEqual([]);
    expect(order.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(order.getAttribute('aria-describedby') as string)?.textContent).toBe(
      'Enter an amount in yuan with at most two decimals, e.g. 5000.00',
    );
    expect(screen.getByText('Enter 0 (never) or a whole number of minutes from 5 to 1440')).toBeTruthy();
    expect(document.activeElement).toBe(order);
    // Restoring the defaults clears the problems.
    fireEvent.click(screen.getByRole('button', { name: 'Restore defaults' }));
    expect(order.value).toBe('5000.00');
    expect(order.getAttribute('aria-invalid')).toBeNull();
  });
});
