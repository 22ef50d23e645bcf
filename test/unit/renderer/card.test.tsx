// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AppStatus,
  CardView,
  Channel,
  ClearanceApi,
  ExpiryStatus,
  Reply,
  ReplyOf,
  RequestOf,
} from '../../../electron/contract';
import { App } from '../../../renderer/src/App';

// A small typed fake of window.clearance: answers from a table, records every call.
type Handler<C extends Channel> = (req: RequestOf<C>) => Reply<ReplyOf<C>>;
type Handlers = { [C in Channel]?: Handler<C> };

function installFake(handlers: Handlers) {
  const calls: { channel: Channel; request: unknown }[] = [];
  const api: ClearanceApi = {
    async invoke(channel, request) {
      calls.push({ channel, request });
      const h = handlers[channel] as Handler<typeof channel> | undefined;
      if (!h) throw new Error(`no fake for ${channel}`);
      return h(request) as never;
    },
    on: () => () => {},
  };
  window.clearance = api;
  return calls;
}

const status = (language: 'zh-CN' | 'en-US' = 'zh-CN'): AppStatus => ({
  version: '0.1.0',
  demo: true,
  online: true,
  activeProfile: null,
  hasProfiles: true,
  preferences: {
    language,
    retentionDays: 90,
    imageRetentionDays: null,
    auditRetentionDays: 365,
    expiringSoonDays: 30,
    watermarkText: '仅供清关使用',
    downloadImagesByDefault: true,
    sessionWarnDays: 7,
  },
  blocker: null,
});

// Invented values only (no real person).
const card = (
  orderId: string,
  status: ExpiryStatus,
  daysLeft: number | null,
  warnings: CardView['warnings'] = [],
) =>
  ({
    orderId,
    maskedName: '张*',
    maskedIdNumber: '4129**********1123',
    typeLabel: { 'zh-CN': '居民身份证', 'en-US': 'Resident identity card' },
    idFormLabel: { 'zh-CN': '18 位号码', 'en-US': '18-digit number' },
    expiry: { raw: '20340101', date: '2034-01-01', status, daysLeft },
    warnings,
    images: { front: null, back: null },
    fetchedAt: '2025-01-02T03:04:05.000Z',
    firstFetchedAt: '2025-01-02T03:04:05.000Z',
    profile: 'demo',
    source: 'gateway',
    demo: true,
  }) satisfies CardView;

const RARE = '1000000000000007';
const CARDS: Record<string, CardView> = {
  [RARE]: card(RARE, 'valid', 100),
  '1000000000000001': card('1000000000000001', 'valid', 3000),
  '1000000000000002': card('1000000000000002', 'expiring', 10),
  '1000000000000003': card('1000000000000003', 'expired', -400),
  '1000000000000004': card('1000000000000004', 'long-term', null),
  '1000000000000005': card('1000000000000005', 'unparsed', null),
  '1000000000000006': card('1000000000000006', 'valid', 100, [
    { code: 'check-digit', text: { 'zh-CN': '证件号码校验位不正确', 'en-US': 'The check digit is wrong' } },
    { code: 'birth-date', text: { 'zh-CN': '出生日期不存在', 'en-US': 'The birth date does not exist' } },
  ]),
};

function fakeBackend(language: 'zh-CN' | 'en-US' = 'zh-CN') {
  return installFake({
    'app.status': () => ({ ok: true, value: status(language) }),
    'lookup.get': (req) => {
      const c = CARDS[req.input];
      return c
        ? { ok: true, value: c }
        : {
            ok: false,
            error: {
              kind: 'business',
              reason: 'business',
              message: { 'zh-CN': '平台未返回该订单的清关信息。', 'en-US': 'No clearance identity.' },
            },
          };
    },
    'record.reveal': (req) => ({
      ok: true,
      value: { name: req.orderId === RARE ? '王𪚥' : '张三', idNumber: '412921198810201123' },
    }),
  });
}

async function lookUp(orderId: string) {
  const box = await screen.findByRole('textbox', { name: /订单号|Order/ });
  fireEvent.change(box, { target: { value: orderId } });
  fireEvent.submit(box.closest('form') as HTMLFormElement);
  return screen.findByRole('article', { name: /清关身份卡|Clearance card/ });
}

beforeEach(() => {
  document.body.innerHTML = '';
});
afterEach(() => cleanup());

describe('clearance card', () => {
  it('is masked by default and shows the full values only after record.reveal answers', async () => {
    const calls = fakeBackend();
    render(<App />);
    const article = await lookUp('1000000000000001');
    expect(within(article).getByTestId('card-name').textContent).toBe('张*');
    expect(within(article).getByTestId('card-id-number').textContent).toBe('4129**********1123');
    expect(document.body.textContent).not.toContain('412921198810201123');
    expect(calls.some((c) => c.channel === 'record.reveal')).toBe(false);

    fireEvent.click(within(article).getByRole('button', { name: '显示完整信息' }));
    await waitFor(() =>
      expect(within(article).getByTestId('card-id-number').textContent).toBe('412921198810201123'),
    );
    expect(within(article).getByTestId('card-name').textContent).toBe('张三');
    expect(calls.filter((c) => c.channel === 'record.reveal')).toEqual([
      { channel: 'record.reveal', request: { orderId: '1000000000000001' } },
    ]);

    // Hiding masks again without asking main.
    fireEvent.click(within(article).getByRole('button', { name: '隐藏' }));
    expect(within(article).getByTestId('card-id-number').textContent).toBe('4129**********1123');
  });

  it('sends the raw input to lookup.get with the remembered image choice', async () => {
    const calls = fakeBackend();
    render(<App />);
    await lookUp('1000000000000001');
    expect(calls.find((c) => c.channel === 'lookup.get')?.request).toEqual({
      input: '1000000000000001',
      refresh: false,
      needImage: true,
    });
  });

  it.each([
    ['1000000000000001', 'valid', '有效', '剩余 3000 天'],
    ['1000000000000002', 'expiring', '即将过期', '剩余 10 天'],
    ['1000000000000003', 'expired', '已过期', '400 天'],
    ['1000000000000004', 'long-term', '长期有效', ''],
    ['1000000000000005', 'unparsed', '无法识别', ''],
  ])('order %s: the %s expiry shows as a badge in words', async (orderId, statusName, label, days) => {
    fakeBackend();
    render(<App />);
    const article = await lookUp(orderId);
    const badge = article.querySelector(`.badge-expiry[data-status="${statusName}"]`);
    expect(badge).not.toBeNull();
    expect(badge?.querySelector('.badge-label')?.textContent).toBe(label);
    expect(badge?.querySelector('.badge-days')?.textContent ?? '').toBe(days);
  });

  it('renders every validation warning in plain language, in the chosen language', async () => {
    fakeBackend('en-US');
    render(<App />);
    const article = await lookUp('1000000000000006');
    const list = within(article).getByRole('list');
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['!The check digit is wrong', '!The birth date does not exist']);
    expect(article.querySelector('.badge-expiry')?.textContent).toBe('Valid100 days left');
  });

  it('says that validation passed when there is no warning', async () => {
    fakeBackend();
    render(<App />);
    const article = await lookUp('1000000000000001');
    expect(within(article).getByText('证件号码与有效期校验通过')).toBeTruthy();
    expect(within(article).queryByRole('list')).toBeNull();
  });

  it('shows its times in Beijing time and says so, as the PDF does, whatever the machine zone', async () => {
    fakeBackend();
    render(<App />);
    const article = await lookUp('1000000000000001');
    const times = [...article.querySelectorAll('time')].map((el) => el.textContent ?? '');
    expect(times.length).toBeGreaterThan(0);
    // 03:04 UTC is 11:04 in Beijing.
    for (const text of times) expect(text).toMatch(/11:04.*北京时间$/);
  });

  it('names a character beyond the bundled font by its code point when revealed', async () => {
    fakeBackend();
    render(<App />);
    const article = await lookUp(RARE);
    expect(article.querySelector('.rare-note')).toBeNull();
    fireEvent.click(within(article).getByRole('button', { name: '显示完整信息' }));
    await waitFor(() => expect(within(article).getByTestId('card-name').textContent).toBe('王𪚥'));
    expect(article.querySelector('.rare-note')?.textContent).toBe('含生僻字 U+2A6A5');
  });
});
