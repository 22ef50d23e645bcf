import { expect, test } from './fixtures';

test('demo lookup through the real preload and IPC: the card shows the ID masked', async ({
  page,
}, testInfo) => {
  const lookup = page.getByRole('textbox', { name: /订单号/ });
  await expect(lookup).toBeFocused();
  await lookup.fill('3728150192837465928');
  await lookup.press('Enter');
  await expect(page.getByText('1101**********002X')).toBeVisible();
  await expect(page.getByText('11010519491231002X')).toHaveCount(0);
  await expect(page.getByText('王*')).toBeVisible();
  await expect(page.getByText(/演示|DEMO/).first()).toBeVisible();
  await testInfo.attach('card', { body: await page.screenshot(), contentType: 'image/png' });
});

test('the page has no Node and no network of its own: only window.clearance, under a strict CSP', async ({
  page,
  desk,
}) => {
  const probe = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return { hasApi: typeof w.clearance === 'object', require: typeof w.require, process: typeof w.process };
  });
  expect(probe).toEqual({ hasApi: true, require: 'undefined', process: 'undefined' });
  const res = await page.request.get(desk.url);
  const csp = res.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe');
});

test('a request without the run token is refused by the real sender check', async ({ page, desk }) => {
  const res = await page.request.post(`${desk.origin}/__ipc`, {
    data: { channel: 'clearance:app.status', payload: {} },
  });
  expect(await res.json()).toMatchObject({ ok: false, error: { kind: 'permission' } });
});
