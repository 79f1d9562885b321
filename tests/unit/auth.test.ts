import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signValue, verifyValue, signToken, verifyToken, parseCookies, loadOrCreateSecret, newLearnerId } from '../../lab-runner/auth.ts';

const secret = 'a-test-secret-of-enough-length';

test('signed values verify, and any change is rejected', () => {
  const id = newLearnerId();
  const signed = signValue(secret, id);
  assert.equal(verifyValue(secret, signed), id);
  assert.equal(verifyValue('another-secret-of-enough-len', signed), undefined);
  assert.equal(verifyValue(secret, signed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), undefined);
  assert.equal(verifyValue(secret, 'l_forged.' + 'x'.repeat(43)), undefined);
  assert.equal(verifyValue(secret, undefined), undefined);
  assert.equal(verifyValue(secret, 'no-dot'), undefined);
});

test('tokens carry claims until they expire', () => {
  const claims = { sub: 'l_1', sandbox: 's1', host: 'node1', mode: 'rw' as const, exp: Date.now() + 60_000 };
  const tok = signToken(secret, claims);
  assert.deepEqual(verifyToken(secret, tok), claims);
  assert.equal(verifyToken(secret, tok, claims.exp + 1), undefined);
  const [body] = tok.split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, sandbox: 's2' })).toString('base64url') + tok.slice(body!.length);
  assert.equal(verifyToken(secret, forged), undefined);
});

test('cookies parse, secrets persist in the data dir', () => {
  assert.deepEqual(parseCookies('a=1; dnl_learner=x.y%3D; b'), { a: '1', dnl_learner: 'x.y=' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-auth-'));
  try {
    const s1 = loadOrCreateSecret(dir);
    assert.ok(s1.length >= 32);
    assert.equal(loadOrCreateSecret(dir), s1);
    assert.equal(loadOrCreateSecret(dir, 'configured-secret-value'), 'configured-secret-value');
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
