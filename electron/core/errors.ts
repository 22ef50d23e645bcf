/**
 * The error table: every failure the product can report, its kind, and what the user
 * should do next, in Chinese and English. One source of truth for the CLI, the IPC
 * replies and the UI. Messages never carry personal data: only order ids, codes,
 * request ids and counts may be interpolated.
 */

export type ErrorKind =
  | 'invalid-input'
  | 'business'
  | 'auth'
  | 'permission'
  | 'throttled'
  | 'transient'
  | 'network'
  | 'protocol'
  | 'keychain'
  | 'vault'
  | 'cancelled'
  | 'internal';

export type Lang = 'zh-CN' | 'en-US';

/** Facts a message may mention. Deliberately no field for names, ID numbers or URLs. */
export interface ErrorFacts {
  orderId?: string;
  seconds?: number;
  code?: number | string;
  subCode?: string;
  status?: number;
  limitBytes?: number;
  detail?: string;
}

interface Entry {
  kind: ErrorKind;
  zh: (f: ErrorFacts) => string;
  en: (f: ErrorFacts) => string;
}

const sub = (f: ErrorFacts) => (f.subCode ? ` (${f.subCode})` : f.code !== undefined ? ` (${f.code})` : '');

export const ERRORS = {
  'order-id-invalid': {
    kind: 'invalid-input',
    zh: () => '订单号无效：应为 1–20 位数字。请检查扫描或输入的内容。',
    en: () => 'Invalid order id: it must be 1–20 digits. Check what was scanned or typed.',
  },
  'order-id-imprecise': {
    kind: 'invalid-input',
    zh: () =>
      '表格中的订单号以数字保存，位数过多已丢失精度。请将该列设为“文本”格式并重新填入订单号，或另存为 CSV。',
    en: () =>
      'The sheet stores this order id as a number too long to keep exactly. Format the column as Text and enter the ids again, or save as CSV.',
  },
  'order-id-excel-rounded': {
    kind: 'invalid-input',
    zh: () =>
      '这个数字已被 Excel 改动（科学计数法或末尾补零，后几位已丢失）。请在 Excel 中将该列设为“文本”格式，重新填入订单号后再保存。',
    en: () =>
      'This number was changed by Excel (scientific notation or trailing zeros: its last digits are lost). Format the column as Text in Excel, enter the ids again, then save.',
  },
  'order-id-line-invalid': {
    kind: 'invalid-input',
    zh: () => '这一行看起来不是订单号（可能是姓名、证件号或其他数据），未加入批次。',
    en: () =>
      'This line does not look like an order id (a name, an ID number or other data?); it was left out.',
  },
  'input-line-too-long': {
    kind: 'invalid-input',
    zh: () => '这一行超过 1 MiB，不是订单号列表中的一行，已跳过。',
    en: () => 'This line is longer than 1 MiB, which no line of an order list is; it was skipped.',
  },
  'input-too-large': {
    kind: 'invalid-input',
    zh: (f) => `文件过大（${f.detail ?? ''}），未打开。订单表远小于此：请只保留订单号列，或另存为 CSV。`,
    en: (f) =>
      `The file is too large (${f.detail ?? ''}) and was not opened. An order sheet is far smaller: keep only the order id column, or save as CSV.`,
  },
  'scan-unknown': {
    kind: 'invalid-input',
    zh: () =>
      '扫描的内容既不是已导入订单表中的运单号，也不是订单号，未发送到网关。请检查扫描的条码，或先导入当天的订单表。',
    en: () =>
      "What was scanned is neither a waybill on the imported order sheet nor an order id, so it was not sent to the gateway. Check the barcode, or import the day's order sheet first.",
  },
  'waybill-several': {
    kind: 'invalid-input',
    zh: (f) => `该运单号对应多个订单：${f.detail ?? ''}。请扫描或输入其中一个订单号。`,
    en: (f) =>
      `This waybill belongs to several orders: ${f.detail ?? ''}. Scan or type one of the order ids.`,
  },
  'argument-invalid': {
    kind: 'invalid-input',
    zh: (f) => `网关拒绝了请求参数${sub(f)}。请检查订单号是否属于本账号。`,
    en: (f) =>
      `The gateway refused the request arguments${sub(f)}. Check that the order belongs to this account.`,
  },
  usage: {
    kind: 'invalid-input',
    zh: (f) => `用法错误：${f.detail ?? ''}`,
    en: (f) => `Usage error: ${f.detail ?? ''}`,
  },
  business: {
    kind: 'business',
    zh: (f) => `平台未返回该订单的清关信息${sub(f)}。请确认订单号正确、订单属于本供应商且已支付。`,
    en: (f) =>
      `The platform returned no clearance identity for this order${sub(f)}. Check the order id, that the order belongs to this supplier, and that it is paid.`,
  },
  'session-invalid': {
    kind: 'auth',
    zh: () => '授权（SessionKey）无效或已过期。请在设置中为此账号重新授权并填写新的 SessionKey。',
    en: () =>
      'The session key is invalid or has expired. Re-authorise this account and enter the new session key in Settings.',
  },
  'session-missing': {
    kind: 'auth',
    zh: () => '缺少 SessionKey。请在设置中为此账号填写授权后的 SessionKey。',
    en: () => 'No session key is set. Enter the authorised session key for this account in Settings.',
  },
  'auth-code-invalid': {
    kind: 'auth',
    zh: () =>
      '授权码无效、已使用或已过期（授权码只能使用一次，几分钟内有效）。请重新授权，未更改任何已保存的内容。',
    en: () =>
      'The authorisation code is wrong, already used or expired (a code works once, for a few minutes). Authorise again; nothing stored was changed.',
  },
  'auth-state-mismatch': {
    kind: 'auth',
    zh: () =>
      '授权回调的 state 与本次授权不符，已拒绝（可能是旧的或他人的授权页面）。请从本应用重新打开授权页面。',
    en: () =>
      "The callback's state does not match this authorisation and was refused (an old or foreign authorisation page?). Open the authorisation page again from this app.",
  },
  'auth-denied': {
    kind: 'auth',
    zh: (f) => `授权页面未给出授权码${f.detail ? `（${f.detail}）` : ''}：授权被取消或拒绝。请重新授权。`,
    en: (f) =>
      `The authorisation page gave no code${f.detail ? ` (${f.detail})` : ''}: it was cancelled or refused. Authorise again.`,
  },
  'auth-timeout': {
    kind: 'auth',
    zh: () => '等待授权回调超时。请重新授权，或把授权后浏览器地址栏中的网址（或授权码）粘贴进来。',
    en: () =>
      'Waiting for the authorisation callback timed out. Authorise again, or paste the URL the browser landed on (or the code).',
  },
  'auth-code-unreadable': {
    kind: 'invalid-input',
    zh: () =>
      '没有读到授权码。请粘贴授权后浏览器地址栏中的完整网址，或只粘贴 code 的值（字母、数字、- 和 _）。',
    en: () =>
      'No authorisation code found. Paste the whole URL the browser landed on after authorising, or only the code (letters, digits, - and _).',
  },
  'auth-redirect-invalid': {
    kind: 'invalid-input',
    zh: (f) =>
      `回调地址无效${f.detail ? `（${f.detail}）` : ''}：须为在开放平台登记的 https 地址，或 http://127.0.0.1:端口/路径。`,
    en: (f) =>
      `The callback URL is not usable${f.detail ? ` (${f.detail})` : ''}: use the https URL registered on the open platform, or http://127.0.0.1:<port>/<path>.`,
  },
  'auth-refresh-refused': {
    kind: 'auth',
    zh: (f) =>
      `平台拒绝刷新授权${f.subCode ? `（${f.subCode}）` : ''}：刷新令牌已过期，或此类应用不允许刷新。请重新授权（clearance-desk profile authorize，或设置中的“授权”按钮）。`,
    en: (f) =>
      `The platform refused to renew the session${f.subCode ? ` (${f.subCode})` : ''}: the refresh token expired, or this kind of app may not renew. Re-authorise (clearance-desk profile authorize, or the Authorise button in Settings).`,
  },
  'auth-no-refresh-token': {
    kind: 'auth',
    zh: () =>
      '此账号没有保存刷新令牌，无法续期。请重新授权（clearance-desk profile authorize，或设置中的“授权”按钮）。',
    en: () =>
      'This account has no refresh token stored, so the session cannot be renewed. Re-authorise (clearance-desk profile authorize, or the Authorise button in Settings).',
  },
  'auth-reply-invalid': {
    kind: 'protocol',
    zh: () => '平台的授权回复缺少令牌或格式错误，未更改任何已保存的内容。请稍后重试。',
    en: () =>
      "The platform's token reply had no token or was malformed; nothing stored was changed. Try again later.",
  },
  'signature-invalid': {
    kind: 'auth',
    zh: () => '签名被网关拒绝。请检查 App Secret 是否与 App Key 对应，以及签名方式设置。',
    en: () =>
      'The gateway rejected the signature. Check that the App Secret matches the App Key, and the sign method.',
  },
  'app-key-invalid': {
    kind: 'auth',
    zh: () => 'App Key 缺失或无效。请检查账号设置中的 App Key 和网关地址。',
    en: () => 'The App Key is missing or invalid. Check the App Key and the gateway in the account settings.',
  },
  'timestamp-invalid': {
    kind: 'auth',
    zh: () => '网关拒绝了请求时间。请校准本机时钟（网关要求与北京时间相差不超过 10 分钟）。',
    en: () =>
      "The gateway rejected the request time. Set this computer's clock right (within 10 minutes of Beijing time).",
  },
  'config-missing': {
    kind: 'auth',
    zh: (f) => `连接设置不完整：缺少 ${f.detail ?? ''}。请添加账号或设置相应的环境变量。`,
    en: (f) =>
      `Connection settings are incomplete: ${f.detail ?? ''} is missing. Add an account or set the environment variable.`,
  },
  permission: {
    kind: 'permission',
    zh: (f) => `此应用或账号没有调用该接口的权限${sub(f)}。请在开放平台为应用申请清关信息接口权限。`,
    en: (f) =>
      `This app or account may not call this API${sub(f)}. Ask for the clearance API permission for the app on the open platform.`,
  },
  throttled: {
    kind: 'throttled',
    zh: (f) => `调用过于频繁，网关限流${f.seconds ? ` ${f.seconds} 秒` : ''}。请等待后重试。`,
    en: (f) =>
      `Too many calls: the gateway is limiting this app${f.seconds ? ` for ${f.seconds} s` : ''}. Wait, then try again.`,
  },
  'quota-exhausted': {
    kind: 'throttled',
    zh: () => '今日调用次数已用完。请明天再试，或向平台申请更高的调用额度。',
    en: () => "Today's call quota is used up. Try again tomorrow, or ask the platform for a higher quota.",
  },
  transient: {
    kind: 'transient',
    zh: (f) => `网关暂时不可用${sub(f)}，已多次重试仍失败。请稍后再试。`,
    en: (f) =>
      `The gateway is temporarily unavailable${sub(f)}; several retries failed. Try again in a few minutes.`,
  },
  'network-timeout': {
    kind: 'network',
    zh: () => '连接网关超时。请检查网络或代理设置，然后重试。',
    en: () => 'The connection to the gateway timed out. Check the network or proxy settings, then try again.',
  },
  'network-unreachable': {
    kind: 'network',
    zh: (f) => `无法连接到网关${f.detail ? `（${f.detail}）` : ''}。请检查网络、代理设置和网关地址。`,
    en: (f) =>
      `Cannot reach the gateway${f.detail ? ` (${f.detail})` : ''}. Check the network, the proxy settings and the gateway address.`,
  },
  'protocol-html': {
    kind: 'protocol',
    zh: () => '网关返回了网页而不是接口数据，可能是代理或登录页拦截。请检查网关地址和代理设置。',
    en: () =>
      'The gateway answered with a web page instead of API data (a proxy or login page?). Check the gateway address and the proxy settings.',
  },
  'protocol-malformed': {
    kind: 'protocol',
    zh: () => '网关的回复不完整或格式错误。请稍后重试；若持续出现，请检查网关地址。',
    en: () =>
      "The gateway's reply was incomplete or malformed. Try again later; if it persists, check the gateway address.",
  },
  'protocol-oversized': {
    kind: 'protocol',
    zh: (f) =>
      `网关的回复过大（超过 ${Math.round((f.limitBytes ?? 0) / 1024)} KB），已中止读取。请检查网关地址。`,
    en: (f) =>
      `The gateway's reply was too large (over ${Math.round((f.limitBytes ?? 0) / 1024)} KB) and was cut off. Check the gateway address.`,
  },
  'protocol-order-mismatch': {
    kind: 'protocol',
    zh: (f) =>
      `网关返回的是另一个订单的信息，而不是订单 ${f.orderId ?? ''} 的。未保存任何内容。请稍后重试；若持续出现，请检查网关地址和代理（缓存）设置。`,
    en: (f) =>
      `The gateway answered with another order's data instead of order ${f.orderId ?? ''}'s. Nothing was stored. Try again later; if it persists, check the gateway address and any caching proxy.`,
  },
  'protocol-status': {
    kind: 'protocol',
    zh: (f) => `网关返回了意外的 HTTP 状态 ${f.status ?? ''}。请检查网关地址和代理设置。`,
    en: (f) =>
      `The gateway answered with an unexpected HTTP status ${f.status ?? ''}. Check the gateway address and proxy.`,
  },
  'image-failed': {
    kind: 'protocol',
    zh: (f) => `证件照片下载失败：${f.detail ?? ''}。身份信息已获取，可稍后刷新重试照片。`,
    en: (f) =>
      `The ID image could not be downloaded: ${f.detail ?? ''}. The identity was fetched; refresh later for the images.`,
  },
  'keychain-unavailable': {
    kind: 'keychain',
    zh: () =>
      '无法访问系统钥匙串。Linux 需要运行中的 Secret Service（如 gnome-keyring 或 KWallet）和 D-Bus 会话；请安装 gnome-keyring 并登录桌面会话后重试。',
    en: () =>
      'The system keychain is not reachable. On Linux a running Secret Service (gnome-keyring or KWallet) on a D-Bus session is needed: install gnome-keyring and log in to a desktop session.',
  },
  'keychain-locked': {
    kind: 'keychain',
    zh: () => '系统钥匙串已锁定或拒绝访问。请解锁钥匙串（或在弹窗中允许访问）后重试。',
    en: () =>
      'The system keychain is locked or refused access. Unlock it (or allow access in the prompt), then try again.',
  },
  'keychain-failed': {
    kind: 'keychain',
    zh: (f) => `系统钥匙串操作失败${f.detail ? `（${f.detail}）` : ''}。`,
    en: (f) => `A system keychain operation failed${f.detail ? ` (${f.detail})` : ''}.`,
  },
  'secret-file-unsafe': {
    kind: 'keychain',
    zh: (f) =>
      `${f.detail ?? ''} 指向的文件不安全，已拒绝：它必须属于当前用户，且同组和其他用户不可读（chmod 600）。`,
    en: (f) =>
      `The file ${f.detail ?? ''} names was refused: it must be owned by you and unreadable by group and others (chmod 600).`,
  },
  'secret-file-unreadable': {
    kind: 'keychain',
    zh: (f) => `无法读取 ${f.detail ?? ''} 指向的文件，或文件为空。请检查路径和权限。`,
    en: (f) =>
      `The file ${f.detail ?? ''} names cannot be read, or is empty. Check the path and its permissions.`,
  },
  'vault-key-nowhere': {
    kind: 'keychain',
    zh: () =>
      '本地加密库的密钥无处存放：系统钥匙串不可用，也没有设置密钥文件。两种办法任选其一：(1) 启动 Secret Service（安装 gnome-keyring 并在 D-Bus 会话中解锁）；(2) 用 clearance-desk vault key --new 文件 生成密钥文件（已有的库用 vault key --export 文件），再设置 CLEARANCE_VAULT_KEY_FILE=该文件。',
    en: () =>
      "The vault's key has nowhere to live: the system keychain is not reachable and no key file is set. Either (1) run a Secret Service (install gnome-keyring and unlock it in a D-Bus session), or (2) make a key file with clearance-desk vault key --new FILE (an existing vault: vault key --export FILE) and set CLEARANCE_VAULT_KEY_FILE=FILE.",
  },
  'secret-missing': {
    kind: 'auth',
    zh: () => '此账号的 App Secret 或 SessionKey 未保存在钥匙串中。请在设置中重新填写。',
    en: () =>
      'The App Secret or session key of this account is not in the keychain. Enter it again in Settings.',
  },
  'gateway-moved': {
    kind: 'invalid-input',
    zh: (f) =>
      `账号 ${f.detail ?? ''} 的 App Secret 和 SessionKey 只发往该账号保存的网关，不会发往另一个服务器。若确需如此，请加上 --keep-secrets；或用 CLEARANCE_* 环境变量提供连接。`,
    en: (f) =>
      `The App Secret and session key of account ${f.detail ?? ''} go only to its saved gateway, never to another server. If that is really meant, add --keep-secrets; or give the connection in the CLEARANCE_* variables.`,
  },
  'profile-not-found': {
    kind: 'invalid-input',
    zh: (f) => `没有名为 ${f.detail ?? ''} 的账号。用 profile list 查看已有账号，或先添加。`,
    en: (f) =>
      `There is no account named ${f.detail ?? ''}. See the accounts with profile list, or add it first.`,
  },
  'profile-exists': {
    kind: 'invalid-input',
    zh: (f) => `账号 ${f.detail ?? ''} 已存在。请换一个名称，或先删除原账号。`,
    en: (f) => `An account named ${f.detail ?? ''} already exists. Choose another name, or remove it first.`,
  },
  'settings-damaged': {
    kind: 'internal',
    zh: (f) =>
      `设置文件已损坏，已另存为 ${f.detail ?? ''} 并恢复默认设置。钥匙串中的密钥未受影响；请重新添加账号。`,
    en: (f) =>
      `The settings file was damaged: it was kept as ${f.detail ?? ''} and the defaults were loaded. Keychain secrets are untouched; add the accounts again.`,
  },
  'batch-busy': {
    // Not the gateway's fault, but like an outage it passes: exit 5, try again later.
    kind: 'transient',
    zh: (f) =>
      `该批次正由另一个进程运行${f.detail ? `（${f.detail}）` : ''}，同一批次同一时间只能由一个进程运行。请等它结束或停止它，再用 batch --resume 继续。`,
    en: (f) =>
      `This batch job is being run by another process${f.detail ? ` (${f.detail})` : ''}; a job runs in one process at a time. Wait for it to end, or stop it, then continue with batch --resume.`,
  },
  'vault-failed': {
    kind: 'vault',
    zh: (f) => `本地加密库操作失败${f.detail ? `（${f.detail}）` : ''}。数据未被删除。`,
    en: (f) => `The local encrypted vault failed${f.detail ? ` (${f.detail})` : ''}. No data was deleted.`,
  },
  'vault-damaged': {
    kind: 'vault',
    zh: () =>
      '本地加密库（vault.db）已损坏，现以只读方式打开，不再向其写入任何内容，以免损坏扩大。可读取的记录仍可查看和导出。修复方法：关闭本程序后从备份恢复 vault.db（连同旁边的 vault.db.damaged 一并删除）；没有备份时，将 vault.db 及 vault.db.damaged 移到别处，再重新查询所需订单。',
    en: () =>
      'The local vault (vault.db) is damaged. It is now opened read-only and nothing more is written to it, so the damage cannot spread; readable records can still be viewed and exported. To fix it: close the app and restore vault.db from a backup (and delete vault.db.damaged beside it); with no backup, move vault.db and vault.db.damaged elsewhere and fetch the orders you need again.',
  },
  'file-failed': {
    kind: 'vault',
    zh: (f) =>
      `无法读写本地文件${f.detail ? `（${f.detail}）` : ''}。请检查数据文件夹或目标文件夹是否存在、是否有写权限。已有数据未受影响。`,
    en: (f) =>
      `A local file could not be read or written${f.detail ? ` (${f.detail})` : ''}. Check that the data or target folder exists and is writable. Existing data is unharmed.`,
  },
  'vault-key': {
    // The key lives in the keychain: a keychain problem for the exit status (4) and the next step.
    kind: 'keychain',
    zh: () =>
      '本地加密库的密钥缺失或不匹配，无法打开。数据库保持原样，未被删除或覆盖。请恢复原钥匙串，或设置 CLEARANCE_VAULT_KEY_FILE 指向导出的密钥文件，或联系管理员。',
    en: () =>
      'The key of the local vault is missing or wrong, so it cannot be opened. The database was left as it is. Restore the original keychain, or set CLEARANCE_VAULT_KEY_FILE to the exported key file, or ask your administrator.',
  },
  'disk-full': {
    kind: 'vault',
    zh: () => '磁盘空间不足，写入失败，已有数据未受影响。请释放磁盘空间后重试。',
    en: () =>
      'The disk is full and the write failed; existing data is unharmed. Free some space and try again.',
  },
  'export-watermark-invalid': {
    kind: 'invalid-input',
    zh: (f) =>
      `水印文字不可用${f.detail ? `（${f.detail}）` : ''}。水印须为 1–40 个字，且不得含“无效”等字样。`,
    en: (f) =>
      `The watermark text cannot be used${f.detail ? ` (${f.detail})` : ''}. Use 1–40 characters, never wording such as "无效" (invalid).`,
  },
  'export-target-not-file': {
    kind: 'invalid-input',
    zh: (f) =>
      `导出目标已存在且不是普通文件${f.detail ? `（${f.detail}）` : ''}，导出不会替换它。请换一个文件名或位置。`,
    en: (f) =>
      `The export target exists and is not a regular file${f.detail ? ` (${f.detail})` : ''}; the export will not replace it. Choose another name or place.`,
  },
  'export-template-invalid': {
    kind: 'invalid-input',
    zh: (f) => `清单模板不可用${f.detail ? `：${f.detail}` : ''}。`,
    en: (f) => `The manifest template cannot be used${f.detail ? `: ${f.detail}` : ''}.`,
  },
  'export-findings': {
    kind: 'business',
    zh: (f) =>
      `核对发现问题${f.detail ? `（${f.detail}）` : ''}，按 --strict 未导出任何文件。请先处理这些订单，或去掉 --strict。`,
    en: (f) =>
      `The checks found problems${f.detail ? ` (${f.detail})` : ''}; with --strict nothing was exported. Resolve those orders first, or drop --strict.`,
  },
  'export-failed': {
    kind: 'internal',
    zh: (f) =>
      `导出失败${f.detail ? `（${f.detail}）` : ''}。目标位置未留下不完整的文件；请检查目标文件夹是否存在且可写，然后重试。`,
    en: (f) =>
      `The export failed${f.detail ? ` (${f.detail})` : ''}. No half-written file was left; check that the destination folder exists and is writable, then try again.`,
  },
  'not-found': {
    kind: 'invalid-input',
    zh: (f) => `本地没有订单 ${f.orderId ?? ''} 的记录。`,
    en: (f) => `No stored record for order ${f.orderId ?? ''}.`,
  },
  'platform-other': {
    kind: 'business',
    zh: (f) => `网关拒绝了请求${sub(f)}。请核对账号设置；若持续出现，请联系平台支持并提供请求编号。`,
    en: (f) =>
      `The gateway refused the request${sub(f)}. Check the account settings; if it persists, give the request id to platform support.`,
  },
  'team-unreachable': {
    kind: 'network',
    zh: (f) =>
      `无法连接团队服务器${f.detail ? `（${f.detail}）` : ''}。本机继续离线工作，改动保存在待同步队列中，连上后自动上传。`,
    en: (f) =>
      `The team server cannot be reached${f.detail ? ` (${f.detail})` : ''}. This desk keeps working offline; changes wait in the outbox and go up once it is back.`,
  },
  'team-auth': {
    kind: 'auth',
    zh: () =>
      '团队服务器拒绝了登录。请检查连接地址中的用户名，以及钥匙串或 CLEARANCE_TEAM_PASSWORD_FILE 中的密码。',
    en: () =>
      'The team server refused the login. Check the user name in the server address and the password in the keychain or CLEARANCE_TEAM_PASSWORD_FILE.',
  },
  'team-permission': {
    kind: 'permission',
    zh: (f) =>
      `团队服务器拒绝了本机的操作${f.detail ? `（${f.detail}）` : ''}：该数据库用户的权限已被撤销或不足。请管理员执行 GRANT clearance_desk TO <用户>；本地工作不受影响。`,
    en: (f) =>
      `The team server refused this desk${f.detail ? ` (${f.detail})` : ''}: the database user's grants were revoked or are missing. Ask the administrator to run GRANT clearance_desk TO <user>; local work goes on.`,
  },
  'team-schema-newer': {
    kind: 'vault',
    zh: (f) =>
      `团队服务器的数据结构版本（${f.detail ?? ''}）比本程序新。请先升级本程序；在此之前本机只在本地工作，不会写入服务器。`,
    en: (f) =>
      `The team server's schema (${f.detail ?? ''}) is newer than this release. Update this app first; until then this desk works locally and writes nothing to the server.`,
  },
  'team-schema-older': {
    kind: 'vault',
    zh: (f) =>
      `团队服务器的数据结构版本（${f.detail ?? ''}）比本程序旧。请在运行 team init 的那台机器（数据结构所有者）上运行 team sync 完成升级；在此之前本机只在本地工作，改动保存在待同步队列中。`,
    en: (f) =>
      `The team server's schema (${f.detail ?? ''}) is older than this release. Run team sync on the desk that ran team init (the schema's owner) to upgrade it; until then this desk works locally and its changes wait in the outbox.`,
  },
  'team-schema-missing': {
    kind: 'vault',
    zh: () => '该数据库还没有团队数据结构。请先在一台机器上运行 team init。',
    en: () => 'This database holds no team yet. Run team init on one desk first.',
  },
  'team-exists': {
    kind: 'invalid-input',
    zh: () => '该数据库已有一个团队。请用 team join 加入，并输入团队的加入码。',
    en: () => 'This database already holds a team. Use team join with the team’s join code.',
  },
  'team-join-code': {
    kind: 'invalid-input',
    zh: () => '加入码无效或不属于该服务器上的团队。请核对加入码（CDT1-…）后重试；本地数据未受影响。',
    en: () =>
      'The join code is invalid or belongs to another team than the one on this server. Check the code (CDT1-…) and try again; local data is untouched.',
  },
  'team-not-joined': {
    kind: 'invalid-input',
    zh: () => '本机尚未加入团队。请使用 team init 或 team join。',
    en: () => 'This desk is not in a team. Use team init or team join.',
  },
  'team-already-joined': {
    kind: 'invalid-input',
    zh: () => '本机已加入一个团队。如需更换，请先运行 team leave。',
    en: () => 'This desk is already in a team. Run team leave first to change it.',
  },
  'team-tls': {
    kind: 'invalid-input',
    zh: (f) =>
      `连接非本机的团队服务器必须使用经过证书验证的 TLS${f.detail ? `（${f.detail}）` : ''}。请去掉 sslmode=disable/prefer，或用 --ca 指定 CA 证书文件。`,
    en: (f) =>
      `A team server other than this machine needs TLS with certificate verification${f.detail ? ` (${f.detail})` : ''}. Drop sslmode=disable/prefer, or give the CA file with --ca.`,
  },
  'team-server-url': {
    kind: 'invalid-input',
    zh: (f) =>
      `团队服务器地址无效${f.detail ? `（${f.detail}）` : ''}。格式：postgres://用户@主机[:端口]/数据库。密码不要写在地址里。`,
    en: (f) =>
      `Invalid team server address${f.detail ? ` (${f.detail})` : ''}. Form: postgres://user@host[:port]/database. Never put the password in the address.`,
  },
  'team-password-file': {
    kind: 'keychain',
    zh: (f) =>
      `密码文件 CLEARANCE_TEAM_PASSWORD_FILE 不可用${f.detail ? `（${f.detail}）` : ''}：它必须存在且只有所有者可读写（chmod 600）。`,
    en: (f) =>
      `The password file CLEARANCE_TEAM_PASSWORD_FILE cannot be used${f.detail ? ` (${f.detail})` : ''}: it must exist and be readable by its owner only (chmod 600).`,
  },
  'team-key-missing': {
    kind: 'keychain',
    zh: () => '本机的团队密钥不在钥匙串（或 CLEARANCE_TEAM_KEY_FILE）中。请用加入码重新运行 team join。',
    en: () =>
      'The team key of this desk is not in the keychain (or CLEARANCE_TEAM_KEY_FILE). Run team join again with the join code.',
  },
  'team-data': {
    kind: 'protocol',
    zh: (f) => `团队服务器上订单 ${f.orderId ?? ''} 的加密数据无法用本团队密钥解开，已跳过。请检查团队密钥。`,
    en: (f) =>
      `The sealed data of order ${f.orderId ?? ''} on the team server does not open with this team's key; it was skipped. Check the team key.`,
  },
  'team-failed': {
    kind: 'internal',
    zh: (f) => `团队同步失败${f.detail ? `（${f.detail}）` : ''}。本地数据未受影响，稍后会重试。`,
    en: (f) =>
      `Team sync failed${f.detail ? ` (${f.detail})` : ''}. Local data is unharmed; it will be retried.`,
  },
  cancelled: {
    kind: 'cancelled',
    zh: () => '操作已取消。',
    en: () => 'The operation was cancelled.',
  },
  internal: {
    kind: 'internal',
    zh: (f) => `内部错误${f.detail ? `：${f.detail}` : ''}。请重试；若持续出现，请联系支持。`,
    en: (f) =>
      `Internal error${f.detail ? `: ${f.detail}` : ''}. Try again; if it persists, contact support.`,
  },
} as const satisfies Record<string, Entry>;

export type ErrorReason = keyof typeof ERRORS;

/** A failure as a value: serialisable, safe to log, safe to send to the renderer. */
export interface ClearanceError {
  kind: ErrorKind;
  reason: ErrorReason;
  message: { 'zh-CN': string; 'en-US': string };
  /** Platform error code or business err_code, when the gateway gave one. */
  code?: number | string;
  subCode?: string;
  requestId?: string;
  /** For throttling: how long the gateway asked us to wait. */
  retryAfterSeconds?: number;
  orderId?: string;
}

export function clearanceError(
  reason: ErrorReason,
  facts: ErrorFacts = {},
  extra: Pick<ClearanceError, 'requestId' | 'orderId'> = {},
): ClearanceError {
  const entry: Entry = ERRORS[reason];
  const err: ClearanceError = {
    kind: entry.kind,
    reason,
    message: { 'zh-CN': entry.zh(facts), 'en-US': entry.en(facts) },
  };
  if (facts.code !== undefined) err.code = facts.code;
  if (facts.subCode !== undefined) err.subCode = facts.subCode;
  if (facts.seconds !== undefined) err.retryAfterSeconds = facts.seconds;
  if (extra.requestId) err.requestId = extra.requestId;
  if (extra.orderId ?? facts.orderId) err.orderId = extra.orderId ?? facts.orderId;
  return err;
}

/**
 * The message of an order that failed earlier and was kept as its reason and codes (a batch
 * item): the words the error had when it happened, sub-code included. A reason this release does
 * not know (a job written by another release) reads as an internal error.
 */
export function orderFailureMessage(f: {
  reason: string;
  code: string | number | null;
  subCode: string | null;
}): ClearanceError['message'] {
  const reason: ErrorReason = f.reason in ERRORS ? (f.reason as ErrorReason) : 'internal';
  const facts: ErrorFacts = {};
  if (f.code !== null) facts.code = f.code;
  if (f.subCode) facts.subCode = f.subCode;
  return clearanceError(reason, facts).message;
}

export type Result<T, E = ClearanceError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E = ClearanceError>(error: E): Result<never, E> => ({ ok: false, error });

/** Thrown only inside core modules to unwind; every public boundary turns it back into a value. */
export class ClearanceFailure extends Error {
  constructor(readonly error: ClearanceError) {
    super(error.message['en-US']);
    this.name = 'ClearanceFailure';
  }
}

export function isClearanceError(v: unknown): v is ClearanceError {
  return typeof v === 'object' && v !== null && 'kind' in v && 'reason' in v && 'message' in v;
}

/** Exit status of the command for each kind: 2 input, 3 business, 4 auth…, 5 retryable, 6 protocol. */
export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid-input':
      return 2;
    case 'business':
      return 3;
    case 'auth':
    case 'permission':
    case 'keychain':
      return 4;
    case 'throttled':
    case 'transient':
    case 'network':
      return 5;
    case 'protocol':
      return 6;
    default:
      return 1;
  }
}
