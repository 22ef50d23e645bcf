// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchProgress, PreparedOrders } from '../../../electron/contract';
import { I18nContext, makeI18n } from '../../../renderer/src/i18n';
import { LeftOut } from '../../../renderer/src/views/batch/BatchInput';
import { JobList } from '../../../renderer/src/views/batch/JobList';
import { JobPanel } from '../../../renderer/src/views/batch/JobPanel';

/** A stand-in for the preload's bridge: answers by channel. */
function bridge(answers: Record<string, unknown>) {
  (window as unknown as { clearance: unknown }).clearance = {
    invoke: async (channel: string) => ({ ok: true, value: answers[channel] }),
    on: () => () => {},
  };
}

const show = (node: React.ReactNode, lang: 'zh-CN' | 'en-US' = 'zh-CN') =>
  render(<I18nContext.Provider value={makeI18n(lang)}>{node}</I18nContext.Provider>);

const job = (over: Partial<BatchProgress> = {}): BatchProgress => ({
  jobId: '20260101-abc123',
  state: 'finished',
  counts: { pending: 0, running: 0, done: 40, failed: 2, skipped: 5 },
  total: 47,
  callsPerSecond: 0,
  etaSeconds: null,
  stoppedBy: null,
  elapsedMs: 125_000,
  averageCallsPerSecond: 7.4,
  source: 'orders.xlsx',
  createdAt: '2026-01-01T02:00:00.000Z',
  ...over,
});

const noop = () => {};

afterEach(cleanup);

describe('an ended job', () => {
  it('shows its duration, its average rate, the ID problems of its finished orders and what skipped means', async () => {
    bridge({
      'batch.summary': {
        jobId: '20260101-abc123',
        done: { expired: 3, invalid: 1 },
        skipped: { expired: 1, invalid: 0 },
      },
      'batch.items': { items: [], total: 0 },
    });
    show(<JobPanel job={job()} onControl={noop} onExport={noop} onCopyFailed={noop} onNew={noop} />);
    expect(screen.getByTestId('job-rate').textContent).toContain('平均 7.4 次/秒');
    expect(screen.getByTestId('job-rate').textContent).toContain('用时 2 分 5 秒');
    const summary = await screen.findByText(/完成 40 个订单，其中 3 个证件已过期，1 个证件号校验未通过/);
    expect(summary).toBeTruthy();
    expect(
      screen.getByText(/跳过 5 个订单：本地已有记录，未再向网关查询；已有记录中 1 个已过期/),
    ).toBeTruthy();
  });

  it('while running, the rate is the live one and no summary is shown', () => {
    bridge({ 'batch.items': { items: [], total: 0 } });
    show(
      <JobPanel
        job={job({ state: 'running', callsPerSecond: 9.8 })}
        onControl={noop}
        onExport={noop}
        onCopyFailed={noop}
        onNew={noop}
      />,
    );
    expect(screen.getByTestId('job-rate').textContent).toContain('9.8 次/秒');
    expect(screen.queryByTestId('job-summary')).toBeNull();
  });

  it('a cancelled job says so and offers neither continue nor retry', async () => {
    bridge({
      'batch.summary': {
        jobId: '20260101-abc123',
        done: { expired: 0, invalid: 0 },
        skipped: { expired: 0, invalid: 0 },
      },
      'batch.items': { items: [], total: 0 },
    });
    show(
      <JobPanel
        job={job({ state: 'cancelled', counts: { pending: 10, running: 0, done: 5, failed: 2, skipped: 0 } })}
        onControl={noop}
        onExport={noop}
        onCopyFailed={noop}
        onNew={noop}
      />,
      'en-US',
    );
    expect(screen.getByText(/This job was cancelled and cannot continue/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Retry/ })).toBeNull();
    expect(await screen.findByText(/5 orders done, none with an expired ID/)).toBeTruthy();
  });
});

describe('the job history', () => {
  it('lists finished and cancelled jobs too; only paused or stopped ones can continue', () => {
    show(
      <JobList
        jobs={[
          job({ jobId: 'a', state: 'finished' }),
          job({ jobId: 'b', state: 'cancelled' }),
          job({ jobId: 'c', state: 'stopped', source: 'app' }),
        ]}
        onOpen={noop}
        onResume={noop}
      />,
    );
    const rows = screen.getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('.state')?.textContent)).toEqual(['已完成', '已取消', '已停止']);
    expect(rows.map((r) => r.querySelectorAll('button').length)).toEqual([1, 1, 2]);
    expect(rows[2]?.textContent).toContain('粘贴的列表');
  });
});

describe('lines left out before a job', () => {
  it('counts every one with its reason, Excel included, and names the column', () => {
    const prepared: PreparedOrders = {
      valid: ['3000000000000001'],
      duplicates: 1,
      invalid: [
        {
          line: 4,
          preview: '‹3›',
          reason: 'order-id-line-invalid',
          message: { 'zh-CN': '这一行看起来不是订单号', 'en-US': 'This line does not look like an order id' },
        },
        {
          line: 5,
          preview: '1.23457E+18',
          reason: 'order-id-excel-rounded',
          message: {
            'zh-CN': '这个数字已被 Excel 改动，请将该列设为“文本”格式',
            'en-US': 'This number was changed by Excel: format the column as Text',
          },
        },
      ],
      skipped: [{ line: 1, why: 'heading' }],
      column: { number: 2, name: '订单号' },
    };
    show(<LeftOut prepared={prepared} />, 'en-US');
    const box = screen.getByTestId('left-out');
    expect(box.textContent).toContain('4 entries were left out of the batch');
    expect(box.querySelector('[data-reason="order-id-excel-rounded"]')?.textContent).toMatch(
      /1 · This number was changed by Excel: format the column as Text.*line 5 1\.23457E\+18/,
    );
    expect(box.querySelector('[data-reason="order-id-line-invalid"]')?.textContent).toContain('line 4');
    expect(box.querySelector('[data-reason="heading"]')?.textContent).toContain('a heading or label');
    expect(box.querySelector('[data-reason="duplicate"]')?.textContent).toContain('1');
  });
});
