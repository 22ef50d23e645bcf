// Loaded with `--import` into Electron's installer (scripts/electron-binary.mjs starts it). The
// installer downloads with the global fetch; this wraps fetch to count the bytes of the archive as
// they arrive and print the progress, and to say why a request failed (fetch's own error is only
// "fetch failed", with the cause left out of the installer's message). It changes nothing else:
// the bytes, the status and the headers reach the installer as they came.
const realFetch = globalThis.fetch;
const mode = process.env.CLEARANCE_ELECTRON_PROGRESS;

const mb = (n) => (n / 1024 / 1024).toFixed(1);

globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const file = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  let res;
  try {
    res = await realFetch(input, init);
  } catch (err) {
    const cause = err?.cause;
    const why = [cause?.code, cause?.message ?? err?.message].filter(Boolean).join(' ');
    process.stderr.write(`${url.origin} cannot be reached (${why})\n`);
    throw err;
  }
  if (!res.ok) process.stderr.write(`${url.origin} answered ${res.status} ${res.statusText} for ${file}\n`);
  if (!mode || !res.ok || !res.body || !file.endsWith('.zip')) return res;

  const total = Number(res.headers.get('content-length')) || 0;
  let seen = 0;
  let shown = -1;
  const show = (final) => {
    const pct = total ? Math.floor((seen / total) * 100) : -1;
    const step = mode === 'tty' ? 1 : 10;
    if (final && mode !== 'tty' && shown === pct) return;
    if (
      !final &&
      (pct === -1 ? seen - shown < 5 * 1024 * 1024 : Math.floor(pct / step) === Math.floor(shown / step))
    )
      return;
    shown = pct === -1 ? seen : pct;
    const line = total
      ? `Downloading ${file}: ${mb(seen)} / ${mb(total)} MB (${pct}%)`
      : `Downloading ${file}: ${mb(seen)} MB`;
    process.stdout.write(mode === 'tty' ? `\r\x1b[2K${line}${final ? '\n' : ''}` : `${line}\n`);
  };
  const counter = new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      show(false);
      controller.enqueue(chunk);
    },
    flush() {
      show(true);
    },
  });
  return new Response(res.body.pipeThrough(counter), {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
};
