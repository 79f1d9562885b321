// Parsing a sandbox host's own logs into start-up marks (lab-runner/provider/startup-trace.ts):
// the bench's phase table depends on these being exact. Lines are recorded from a real host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerdLog, parseInitLog } from '../../lab-runner/provider/startup-trace.ts';

test('dnl-init lines: start derived from the +ms offsets, known steps named', () => {
  const log = [
    '2026-11-29T08:49:10.000000000Z dnl-init +870ms: cgroup cpuacct: remounted read-write',
    '2026-11-29T08:49:10.460000000Z dnl-init +1321ms: starting dockerd (cgroup parent: --cgroup-parent=/docker/x/inner, log: /var/log/dockerd.log)',
    '2026-11-29T08:49:13.742000000Z dnl-init +4603ms: dockerd answers',
    '2026-11-29T08:49:13.882000000Z dnl-init +4743ms: ready',
    'not a dnl-init line',
  ].join('\n');
  const marks = parseInitLog(log);
  // The smallest (stamp − offset) wins: 10.460 − 1.321 = 09.139 (the engine read line 1 late).
  assert.deepEqual(marks.map((m) => m.phase), ['init:begin', 'init:dockerd-exec', 'init:answers', 'init:ready']);
  assert.equal(marks[0]!.at, Date.parse('2026-11-29T08:49:09.130Z'));
  assert.equal(marks[3]!.at - marks[0]!.at, 4743);
});

test('containerd and dockerd lines: first occurrence of each step, logrus time stamps', () => {
  const log = [
    'time="2026-11-29T08:49:09.557526696Z" level=info msg="Starting up"',
    'time="2026-11-29T08:49:10.235052219Z" level=info msg="containerd successfully booted in 0.277117s"',
    'time="2026-11-29T08:49:10.495562458Z" level=info msg="Loading containers: start."',
    'time="2026-11-29T08:49:11.630513497Z" level=info msg="Loading containers: done."',
    'time="2026-11-29T08:49:11.675805510Z" level=info msg="Daemon has completed initialization"',
    'time="2026-11-29T08:49:11.733177293Z" level=info msg="API listen on /run/dnl/docker.sock"',
    'time="2026-11-29T08:49:12.000000000Z" level=info msg="Starting up"',
  ].join('\n');
  const marks = parseDockerdLog(log);
  assert.deepEqual(marks.map((m) => m.phase), ['dockerd:starting', 'containerd:up', 'dockerd:loading', 'dockerd:loaded', 'dockerd:initialized', 'dockerd:api']);
  assert.equal(marks[0]!.at, Date.parse('2026-11-29T08:49:09.557Z'));
});

test('nothing recognisable: no marks', () => {
  assert.deepEqual(parseInitLog(''), []);
  assert.deepEqual(parseDockerdLog('garbage\ntime="nope" msg="Starting up"'), []);
});
