// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reply } from '../../../electron/contract';
import { ErrorCard, splitTechnical } from '../../../renderer/src/components/ErrorCard';
import { I18nContext, makeI18n } from '../../../renderer/src/i18n';

type ClearanceError = Extract<Reply<unknown>, { ok: false }>['error'];
type Kind = ClearanceError['kind'];

const error = (kind: Kind, extra: Partial<ClearanceError> = {}): ClearanceError => ({
  kind,
  reason: 'internal',
  message: { 'zh-CN': `网关说明（${kind}）`, 'en-US': `Gateway says (${kind})` },
  ...extra,
});

function show(
  e: ClearanceError,
  lang: 'zh-CN' | 'en-US' = 'zh-CN',
  handlers: Record<string, () => void> = {},
) {
  return render(
    <I18nContext.Provider value={makeI18n(lang)}>
      <ErrorCard error={e} orderText="9000000000000011" {...handlers} />
    </I18nContext.Provider>,
  );
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

// What each kind must tell the user: its headline and the next step, in both languages.
const EXPECTED: [Kind, string, RegExp, string, RegExp][] = [
  ['auth', '需要重新授权', /设置.*重新授权/, 'Re-authorisation needed', /Settings.*re-authorise/],
  [
    'invalid-input',
    '订单号有误',
    /检查.*订单号/,
    'Check the order id',
    /Check the scanned or typed order id/,
  ],
  ['throttled', '调用太频繁', /等待/, 'Too many calls', /Wait/],
  ['network', '无法连接网关', /检查网络/, 'Cannot reach the gateway', /Check the network/],
  [
    'transient',
    '网关暂时不可用',
    /稍后再试/,
    'Gateway temporarily unavailable',
    /try again in a few minutes/,
  ],
  ['protocol', '网关回复异常', /网关地址和代理/, 'Unexpected gateway reply', /gateway address and the proxy/],
  [
    'business',
    '没有该订单的清关信息',
    /核对订单号/,
    'No clearance identity for this order',
    /Check the order id/,
  ],
  [
    'permission',
    '没有接口权限',
    /申请.*接口权限/,
    'No API permission',
    /Ask for the clearance API permission/,
  ],
  ['keychain', '钥匙串不可用', /钥匙串/, 'Keychain unavailable', /keychain/],
  ['vault', '本地加密库出错', /磁盘空间/, 'Local vault problem', /disk space/],
];

describe('error card', () => {
  it.each(EXPECTED)(
    'explains %s and the next step in Chinese and English',
    (kind, zhTitle, zhNext, enTitle, enNext) => {
      show(error(kind));
      expect(screen.getByRole('heading').textContent).toBe(zhTitle);
      expect(screen.getByRole('alert').textContent).toMatch(zhNext);
      expect(screen.getByText(`网关说明（${kind}）`)).toBeTruthy();
      cleanup();
      show(error(kind), 'en-US');
      expect(screen.getByRole('heading').textContent).toBe(enTitle);
      expect(screen.getByRole('alert').textContent).toMatch(enNext);
      expect(screen.getByRole('alert').getAttribute('data-kind')).toBe(kind);
    },
  );

  it('shows the request id when the gateway gave one', () => {
    show(error('transient', { requestId: 'req-42abc' }));
    expect(screen.getByText('请求编号')).toBeTruthy();
    expect(screen.getByText('req-42abc')).toBeTruthy();
  });

  it('counts the throttling wait down and only then allows a retry', () => {
    vi.useFakeTimers();
    const onRetry = vi.fn();
    show(error('throttled', { retryAfterSeconds: 3 }), 'zh-CN', { onRetry });
    expect(screen.getByText('请等待 3 秒后重试')).toBeTruthy();
    const retry = screen.getByRole('button', { name: '重试' }) as HTMLButtonElement;
    expect(retry.disabled).toBe(true);
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(screen.getByText('请等待 2 秒后重试')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(screen.getByText('现在可以重试')).toBeTruthy();
    expect(retry.disabled).toBe(false);
    fireEvent.click(retry);
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('offers Settings for an auth failure and editing the id for an invalid one', () => {
    const onOpenSettings = vi.fn();
    show(error('auth'), 'zh-CN', { onOpenSettings });
    fireEvent.click(screen.getByRole('button', { name: '打开设置' }));
    expect(onOpenSettings).toHaveBeenCalled();
    cleanup();
    const onEditInput = vi.fn();
    show(error('invalid-input'), 'en-US', { onEditInput });
    fireEvent.click(screen.getByRole('button', { name: 'Edit the order id' }));
    expect(onEditInput).toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });
});

describe('technical codes in a message', () => {
  it('move out of the sentence into a details line', () => {
    expect(splitTechnical('无法连接到网关（UND_ERR_SOCKET）。请检查网络。')).toEqual({
      text: '无法连接到网关。请检查网络。',
      codes: ['UND_ERR_SOCKET'],
    });
    expect(splitTechnical('Cannot reach the gateway (ECONNREFUSED). Check the network.')).toEqual({
      text: 'Cannot reach the gateway. Check the network.',
      codes: ['ECONNREFUSED'],
    });
    expect(splitTechnical('没有该订单的清关信息。')).toEqual({ text: '没有该订单的清关信息。', codes: [] });
  });
});

describe('a failure that is not about an order id', () => {
  it('a refused watermark reads as a watermark problem, with its own next step, in both languages', () => {
    const wm = error('invalid-input', { reason: 'export-watermark-invalid' });
    show(wm);
    expect(screen.getByRole('heading').textContent).toBe('水印文字不可用');
    expect(screen.getByText(/设置 → 偏好.*水印/)).toBeTruthy();
    cleanup();
    show(wm, 'en-US');
    expect(screen.getByRole('heading').textContent).toBe('The watermark cannot be used');
    expect(screen.queryByText('Check the order id')).toBeNull();
  });
});
