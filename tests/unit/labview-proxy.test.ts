// The lab proxy's pure parts: what the service may see (cookies), where redirects go, cookie
// scope, and the capture command (the filter never reaches a shell).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteLocation, rewriteSetCookie, stripPlatformCookies } from '../../lab-runner/labview/proxy.ts';
import { captureArgv } from '../../lab-runner/labview/capture.ts';
import { defaultMac } from '../../lab-runner/labview/state.ts';
import { FILTER_RE, LabViewClientMessageSchema } from '../../protocol/labview.ts';

const t = { prefix: '/lab/sabc/node1/8080/', host: 'node1', ip: '10.202.3.2', port: 8080 };

test('redirects to the service itself stay under the prefix; others are left alone', () => {
  assert.equal(rewriteLocation('/login?next=/', t, '127.0.0.1:3000'), '/lab/sabc/node1/8080/login?next=/');
  assert.equal(rewriteLocation('/lab/sabc/node1/8080/x', t, '127.0.0.1:3000'), '/lab/sabc/node1/8080/x');
  assert.equal(rewriteLocation('http://node1/dir/', t, '127.0.0.1:3000'), '/lab/sabc/node1/8080/dir/');
  assert.equal(rewriteLocation('http://10.202.3.2:8080/a#b', t, '127.0.0.1:3000'), '/lab/sabc/node1/8080/a#b');
  assert.equal(rewriteLocation('http://localhost/', t, 'labs.example:443'), '/lab/sabc/node1/8080/');
  assert.equal(rewriteLocation('http://127.0.0.1:3000/dir/', t, '127.0.0.1:3000'), '/lab/sabc/node1/8080/dir/');
  assert.equal(rewriteLocation('https://docs.docker.com/', t, '127.0.0.1:3000'), 'https://docs.docker.com/');
  assert.equal(rewriteLocation('//evil.example/', t, '127.0.0.1:3000'), '//evil.example/');
  assert.equal(rewriteLocation('relative/path', t, '127.0.0.1:3000'), 'relative/path');
});

test('the platform cookie never reaches the service; service cookies are scoped to the prefix', () => {
  assert.equal(stripPlatformCookies('dnl_learner=l_x.sig; theme=dark; dnl_lang=ko'), 'theme=dark');
  assert.equal(stripPlatformCookies('dnl_learner=l_x.sig'), undefined);
  assert.equal(rewriteSetCookie('sid=1; Path=/; HttpOnly', t.prefix), 'sid=1; Path=/lab/sabc/node1/8080/; HttpOnly');
  assert.equal(rewriteSetCookie('sid=1; Domain=localhost; path=/app', t.prefix), 'sid=1; path=/lab/sabc/node1/8080/app');
  assert.equal(rewriteSetCookie('sid=1', t.prefix), 'sid=1; Path=/lab/sabc/node1/8080/');
});

test('the capture command: bounded, marked, and the filter is one argv item', () => {
  const argv = captureArgv({ sandbox: 's', host: 'node1', iface: 'br-1', filter: 'icmp and host 1.2.3.4', maxPackets: 100, maxSeconds: 30 }, 'dnl-capture-ab');
  assert.deepEqual(argv.slice(0, 5), ['bash', '-c', 'exec -a "$0" timeout -s INT -k 3 "$@"', 'dnl-capture-ab', '30']);
  assert.deepEqual(argv.slice(5), ['tcpdump', '-l', '-n', '-e', '-tt', '-s', '262', '-c', '100', '-i', 'br-1', 'icmp and host 1.2.3.4']);
  const ns = captureArgv({ sandbox: 's', host: 'node1', iface: 'any', netnsPid: 42, filter: 'host 127.0.0.11', forceDns: true, maxPackets: 5, maxSeconds: 5 }, 'm');
  assert.deepEqual(ns.slice(5, 9), ['nsenter', '-t', '42', '-n']);
  assert.ok(ns.includes('-T') && ns.at(-1) === 'host 127.0.0.11');
});

test('client messages: shell metacharacters and odd names are refused before anything runs', () => {
  assert.ok(FILTER_RE.test('tcp[tcpflags] & tcp-syn != 0'));
  for (const bad of ['icmp; reboot', 'icmp `id`', 'host $(id)', "port 53 '", 'a\nb']) assert.ok(!FILTER_RE.test(bad), bad);
  const ok = LabViewClientMessageSchema.safeParse({ type: 'start', host: 'node1', target: { kind: 'network', name: 'my_bridge_network' }, filter: 'arp or icmp' });
  assert.ok(ok.success);
  for (const m of [
    { type: 'start', host: 'node9', target: { kind: 'interface', name: 'eth0' } },
    { type: 'start', host: 'node1', target: { kind: 'interface', name: '../eth0' } },
    { type: 'start', host: 'node1', target: { kind: 'interface', name: 'eth0' }, maxPackets: 1e9 },
    { type: 'start', host: 'node1', target: { kind: 'socket', name: 'x' } },
    { type: 'stop', extra: 1 },
  ]) assert.ok(!LabViewClientMessageSchema.safeParse(m).success, JSON.stringify(m));
});

test("Docker's default MAC of an address names hosts without an exec", () => {
  assert.equal(defaultMac('10.202.45.2'), '02:42:0a:ca:2d:02');
  assert.equal(defaultMac('x'), undefined);
});
