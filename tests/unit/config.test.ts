import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../lab-runner/config.ts';

test('defaults are the documented ones', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.labPool, '10.210.0.0/16');
  assert.equal(c.hostMemoryMb, 1024);
  assert.equal(c.hostPids, 1024);
  assert.equal(c.idleMinutes, 30);
  assert.equal(c.ttlMinutes, 240);
  assert.equal(c.poolSize, 2);
  assert.equal(c.dataDir, path.resolve('.data'));
});

test('environment variables override defaults and are coerced', () => {
  const c = loadConfig({ PORT: '8080', DNL_POOL_SIZE: '0', DNL_LAB_POOL: '10.99.0.0/16', DNL_HOST_CPUS: '0.5' });
  assert.equal(c.port, 8080);
  assert.equal(c.poolSize, 0);
  assert.equal(c.labPool, '10.99.0.0/16');
  assert.equal(c.hostCpus, 0.5);
});

test('a bad value names the variable and what is wrong', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty', DNL_LAB_POOL: '10.1.2.0/24' }), (err: Error) => {
    assert.match(err.message, /PORT:/);
    assert.match(err.message, /DNL_LAB_POOL: must look like 10\.210\.0\.0\/16/);
    return true;
  });
  assert.throws(() => loadConfig({ DNL_SECRET: 'short' }), /DNL_SECRET/);
});
