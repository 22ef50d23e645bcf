// Draws the demo gateway's two ID card images (an invented specimen, marked as such) with
// Debian's Chromium, as JPEG at 10 px/mm of an ID-1 card (85.6 × 54 mm). Run once; the output
// is committed under electron/core/demo/assets.
import { writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const card = (side) => `<!doctype html><meta charset="utf-8"><style>
  body{margin:0;font-family:"WenQuanYi Micro Hei",sans-serif}
  .card{width:856px;height:540px;border-radius:36px;position:relative;overflow:hidden;
    background:linear-gradient(135deg,#e8f1f8 0%,#d5e6f3 45%,#f3e9d8 100%)}
  .grain{position:absolute;inset:0;background:repeating-linear-gradient(45deg,rgba(0,80,160,.05) 0 2px,transparent 2px 7px),
    repeating-linear-gradient(-45deg,rgba(200,120,0,.05) 0 2px,transparent 2px 9px)}
  .stamp{position:absolute;right:40px;top:30px;color:#b22;font-size:30px;font-weight:bold;border:4px solid #b22;padding:4px 14px;transform:rotate(8deg)}
  .row{position:absolute;left:60px;font-size:30px;color:#223}
  .label{color:#4a6a8a;margin-right:24px}
  .photo{position:absolute;right:70px;top:130px;width:230px;height:290px;border-radius:12px;
    background:radial-gradient(circle at 50% 35%,#9ab 0 60px,transparent 61px),radial-gradient(ellipse at 50% 110%,#9ab 0 140px,transparent 141px),#eef3f7}
  .emblem{position:absolute;left:60px;top:50px;width:130px;height:130px;border-radius:50%;border:8px solid #c33;
    background:radial-gradient(circle,#fc3 0 22px,#c33 23px)}
  .title{position:absolute;left:240px;font-size:50px;letter-spacing:10px;color:#223;font-weight:bold}
</style><div class="card"><div class="grain"></div><div class="stamp">演示样本 DEMO</div>${
  side === 'front'
    ? `<div class="row" style="top:120px"><span class="label">姓名</span>演示样本</div>
       <div class="row" style="top:180px"><span class="label">性别</span>—　<span class="label">民族</span>—</div>
       <div class="row" style="top:240px"><span class="label">出生</span>0000 年 00 月 00 日</div>
       <div class="row" style="top:300px"><span class="label">住址</span>演示地址，非真实信息</div>
       <div class="row" style="top:430px"><span class="label">公民身份号码</span>000000 00000000 0000</div>
       <div class="photo"></div>`
    : `<div class="emblem"></div><div class="title" style="top:70px">中华人民共和国</div>
       <div class="title" style="top:150px;font-size:64px">居民身份证</div>
       <div class="row" style="top:360px"><span class="label">签发机关</span>演示样本，仅供软件演示</div>
       <div class="row" style="top:420px"><span class="label">有效期限</span>0000.00.00-0000.00.00</div>`
}</div>`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const page = await browser.newPage({ viewport: { width: 856, height: 540 } });
for (const side of ['front', 'back']) {
  await page.setContent(card(side));
  const jpg = await page.locator('.card').screenshot({ type: 'jpeg', quality: 92, omitBackground: false });
  writeFileSync(new URL(`../electron/core/demo/assets/id-${side}.jpg`, import.meta.url), jpg);
  console.log(side, jpg.length, 'bytes');
}
await browser.close();
