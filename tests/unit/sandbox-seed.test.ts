import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSeed, isSeedComplete, populateFromSeed, seedPath } from '../../lab-runner/provider/seed.ts';

test('a host store is filled from the seed: layer files hard-linked, metadata copied', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-seed-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const seed = await buildSeed(path.join(root, 'seeds'), 'sha256:abcdef0123456789ffff', async (docker, run) => {
    fs.mkdirSync(path.join(docker, 'overlay2', 'L1', 'diff', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(docker, 'overlay2', 'L1', 'diff', 'bin', 'sh'), 'binary');
    fs.writeFileSync(path.join(docker, 'overlay2', 'L1', 'link'), 'SHORT');
    fs.mkdirSync(path.join(docker, 'overlay2', 'l'), { recursive: true });
    fs.symlinkSync('../L1/diff', path.join(docker, 'overlay2', 'l', 'SHORT'));
    fs.mkdirSync(path.join(docker, 'image', 'overlay2'), { recursive: true });
    fs.writeFileSync(path.join(docker, 'image', 'overlay2', 'repositories.json'), '{}');
    fs.writeFileSync(path.join(docker, 'engine-id'), 'unique');
    fs.writeFileSync(path.join(run, 'ready'), '');
  });
  assert.equal(seed, seedPath(path.join(root, 'seeds'), 'sha256:abcdef0123456789ffff'));
  assert.ok(isSeedComplete(seed));
  assert.ok(!fs.existsSync(path.join(seed, 'docker', 'engine-id')), 'per-engine identity is not cloned');
  assert.deepEqual(fs.readdirSync(path.join(root, 'seeds')), [path.basename(seed)], 'no build folder left behind');

  const host = path.join(root, 'host');
  fs.mkdirSync(host);
  await populateFromSeed(path.join(seed, 'docker'), host);
  const src = fs.statSync(path.join(seed, 'docker', 'overlay2', 'L1', 'diff', 'bin', 'sh'));
  const dst = fs.statSync(path.join(host, 'overlay2', 'L1', 'diff', 'bin', 'sh'));
  assert.equal(dst.ino, src.ino, 'layer files are hard links');
  const meta = fs.statSync(path.join(host, 'image', 'overlay2', 'repositories.json'));
  assert.notEqual(meta.ino, fs.statSync(path.join(seed, 'docker', 'image', 'overlay2', 'repositories.json')).ino, 'metadata is copied, never shared');
  assert.equal(fs.readlinkSync(path.join(host, 'overlay2', 'l', 'SHORT')), '../L1/diff');
  assert.equal(fs.readFileSync(path.join(host, 'overlay2', 'L1', 'link'), 'utf8'), 'SHORT');

  // Building again is a no-op once complete.
  let ran = false;
  await buildSeed(path.join(root, 'seeds'), 'sha256:abcdef0123456789ffff', async () => { ran = true; });
  assert.equal(ran, false);
});
