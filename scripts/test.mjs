// `npm test`: the same bootstrap as `npm start` plus Chromium, then every test in one run of
// node's test runner (unit → integration against the real engine → content self-test → e2e in
// Chromium → hardening: attacks and faults, ending with their table), so the last lines are the
// runner's own summary.
// `npm test -- unit` (or integration, e2e, hardening, a path fragment) runs a subset.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNodeModules, ensureDocker, ensureBuildTools, ensureChromium, ensureImages, ensureWebBuild, fail, root, step } from './bootstrap.mjs';

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? find(p) : e.name.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

try {
  const filters = process.argv.slice(2);
  const phases = ['unit', 'integration', 'e2e', 'hardening'];
  const files = phases.flatMap((p) => find(path.join(root, 'tests', p)))
    .filter((f) => filters.length === 0 || filters.some((x) => path.relative(root, f).includes(x)));
  if (files.length === 0) fail(new Error(`No test files match ${filters.join(' ')}`));
  // The hardening table is printed after every attack and fault ran (tests/report sorts after them).
  if (files.some((f) => f.includes(`${path.sep}tests${path.sep}hardening${path.sep}`))) files.push(path.join(root, 'tests', 'report', 'hardening-table.test.ts'));
  const needs = (phase) => files.some((f) => f.includes(`${path.sep}tests${path.sep}${phase}${path.sep}`));
  ensureNodeModules();
  if (needs('integration') || needs('e2e') || needs('hardening')) {
    await ensureDocker();
    ensureBuildTools();
    ensureImages();
  }
  if (needs('e2e') || needs('hardening')) { ensureChromium(); ensureWebBuild(); }
  // The hardening tests add their rows here; tests/report/hardening-table.test.ts prints them.
  const table = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-hardening-')), 'rows.jsonl');
  step(`running ${files.length} test files …`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-timeout=900000',
    ...files.map((f) => path.relative(root, f))], { cwd: root, stdio: 'inherit', env: { ...process.env, DNL_TEST: '1', DNL_HARDENING_TABLE: table } });
  child.on('exit', (code) => process.exit(code ?? 1));
} catch (err) { fail(err); }
