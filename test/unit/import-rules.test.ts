/**
 * The layers' import rules (README: Architecture) are the linter's, so `npm test` (its lint step)
 * fails on a file that breaks them. This plants files that do, and files that keep them, inside
 * electron/core and renderer/src, runs biome on them as `npm run lint` would, and reads its
 * diagnostics. The planted files are removed whatever happens.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const RULE = 'lint/style/noRestrictedImports';
const planted: string[] = [];
afterAll(() => {
  for (const f of planted) rmSync(join(ROOT, f), { force: true });
});

interface Case {
  dir: string;
  line: string;
  refused: boolean;
}

const CASES: Case[] = [
  // core: plain Node, never Electron, React, main, the command or the contract
  { dir: 'electron/core', line: "import 'electron';", refused: true },
  { dir: 'electron/core', line: "import { app as x } from 'electron';", refused: true },
  {
    dir: 'electron/core/vault',
    line: "import { createBackend as x } from '../../main/backend';",
    refused: true,
  },
  { dir: 'electron/core', line: "import { main as x } from '../cli/main';", refused: true },
  {
    dir: 'electron/core/settings',
    line: "import type { CardView as x } from '../../contract';",
    refused: true,
  },
  { dir: 'electron/core', line: "import { useState as x } from 'react';", refused: true },
  { dir: 'electron/core', line: "import x from 'electron-store';", refused: true },
  { dir: 'electron/core', line: "import { readFileSync as x } from 'node:fs';", refused: false },
  { dir: 'electron/core/vault', line: "import { diskFull as x } from '../rules';", refused: false },
  // renderer: the contract's types and the rules module only
  { dir: 'renderer/src', line: "import { ipcRenderer as x } from 'electron';", refused: true },
  { dir: 'renderer/src/views', line: "import { readFileSync as x } from 'node:fs';", refused: true },
  { dir: 'renderer/src', line: "import { readFileSync as x } from 'fs';", refused: true },
  {
    dir: 'renderer/src/views',
    line: "import { clearanceError as x } from '../../../electron/core/errors';",
    refused: true,
  },
  { dir: 'renderer/src', line: "import { CHANNELS as x } from '../../electron/contract';", refused: true },
  {
    dir: 'renderer/src',
    line: "import { createBackend as x } from '../../electron/main/backend';",
    refused: true,
  },
  {
    dir: 'renderer/src/views',
    line: "import { QPS as x } from '../../../electron/core/rules';",
    refused: false,
  },
  {
    dir: 'renderer/src',
    line: "import type { CardView as x } from '../../electron/contract';",
    refused: false,
  },
];

describe('the import rules are the linter’s', () => {
  it('biome refuses each import that crosses a layer, and only those', () => {
    const tag = randomBytes(4).toString('hex');
    const files = CASES.map((c, i) => {
      const file = `${c.dir}/zz-planted-${tag}-${i}.ts`;
      planted.push(file);
      writeFileSync(join(ROOT, file), `${c.line}\nexport const planted = x;\n`);
      return file;
    });
    const r = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['lint', '--reporter=json', ...files], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const report = JSON.parse(r.stdout) as {
      diagnostics: { category: string; location: { path: string } }[];
    };
    const refused = new Set(
      report.diagnostics.filter((d) => d.category === RULE).map((d) => d.location.path),
    );
    const verdicts = CASES.map((c, i) => ({ ...c, got: refused.has(files[i] as string) }));
    expect(verdicts.filter((v) => v.got !== v.refused)).toEqual([]);
    // And the lint step fails: what `npm test` runs before any suite.
    expect(r.status).not.toBe(0);
  });
});
