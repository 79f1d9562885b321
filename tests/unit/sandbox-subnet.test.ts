import test from 'node:test';
import assert from 'node:assert/strict';
import { freeSubnets, hostIp, overlaps, parseCidr } from '../../lab-runner/provider/subnet.ts';
import { hostNames, labelFilter, names } from '../../lab-runner/provider/labels.ts';
import { latestRecord } from '../../lab-runner/provider/records.ts';
import { isPrivilegeRefusal, securityHostConfig } from '../../lab-runner/provider/security.ts';

test('freeSubnets cuts /24s from the pool and skips any overlap', () => {
  const free = freeSubnets('10.210.0.0/16', ['10.210.0.0/24', '10.210.2.0/23', '172.17.0.0/16']);
  assert.equal(free[0], '10.210.1.0/24');
  assert.ok(!free.includes('10.210.2.0/24') && !free.includes('10.210.3.0/24'));
  assert.equal(free.length, 256 - 3);
});

test('freeSubnets rotates its start and wraps around', () => {
  assert.equal(freeSubnets('10.210.0.0/16', [], 255)[0], '10.210.255.0/24');
  assert.equal(freeSubnets('10.210.0.0/16', ['10.210.255.0/24'], 255)[0], '10.210.0.0/24');
  assert.deepEqual(freeSubnets('10.210.0.0/16', ['10.0.0.0/8']), []);
});

test('overlaps and host addresses', () => {
  assert.ok(overlaps(parseCidr('10.210.5.0/24'), parseCidr('10.210.0.0/16')));
  assert.ok(!overlaps(parseCidr('10.210.5.0/24'), parseCidr('10.210.6.0/24')));
  assert.equal(hostIp('10.210.7.0/24', 1), '10.210.7.2');
  assert.equal(hostIp('10.210.7.0/24', 2), '10.210.7.3');
});

test('labels and names are instance-scoped', () => {
  assert.deepEqual(labelFilter('t1', { 'dnl.sandbox': 's1' }), { label: ['dnl.instance=t1', 'dnl.sandbox=s1'] });
  assert.equal(names.container('t1', 's1', 'node2'), 'dnl-t1-s1-node2');
  assert.deepEqual(hostNames(3), ['node1', 'node2', 'node3']);
});

test('the newest record wins', () => {
  const rec = latestRecord([
    { Labels: { 'dnl.role': 'record', 'dnl.rev': '5', 'dnl.owner': 'old' } },
    { Labels: { 'dnl.role': 'docker-volume', 'dnl.rev': '9', 'dnl.owner': 'not a record' } },
    { Labels: { 'dnl.role': 'record', 'dnl.rev': '7', 'dnl.owner': 'new' } },
    { Labels: null },
  ]);
  assert.equal(rec?.['dnl.owner'], 'new');
});

test('security: privileged first, documented fallback flags, refusal detection', () => {
  assert.equal(securityHostConfig('privileged').Privileged, true);
  const fb = securityHostConfig('fallback');
  assert.equal(fb.Privileged, undefined);
  assert.deepEqual(fb.CapDrop, ['SYS_RESOURCE']);
  assert.ok(fb.SecurityOpt?.includes('seccomp=unconfined'));
  assert.deepEqual(fb.MaskedPaths, [], 'systempaths=unconfined, in engine-API spelling');
  assert.deepEqual(securityHostConfig('runtime', 'sysbox-runc'), { Runtime: 'sysbox-runc' });
  assert.ok(isPrivilegeRefusal(new Error('OCI runtime create failed: unable to apply caps: operation not permitted')));
  assert.ok(!isPrivilegeRefusal(new Error('No such image')));
});
