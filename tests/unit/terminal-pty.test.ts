import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerExec } from '../../lab-runner/terminal/pty.ts';
import { withTerm } from '../../lab-runner/terminal/targets.ts';

test('a plain docker exec -it is recognised (so it can run through the Engine API)', () => {
  assert.deepEqual(parseDockerExec('docker', ['exec', '-it', '-e', 'TERM=xterm-256color', 'dnl-x-s1-node1', 'bash', '-l'], '/var/run/docker.sock'),
    { socketPath: '/var/run/docker.sock', container: 'dnl-x-s1-node1', env: ['TERM=xterm-256color'], cmd: ['bash', '-l'] });
  assert.deepEqual(parseDockerExec('/usr/bin/docker', ['-H', 'unix:///tmp/d.sock', 'exec', '-i', '-t', '-u', 'root', '-w', '/root', 'c1', 'sh'], '/var/run/docker.sock'),
    { socketPath: '/tmp/d.sock', container: 'c1', env: [], user: 'root', workdir: '/root', cmd: ['sh'] });
});

test('anything else is left to node-pty', () => {
  const d = '/var/run/docker.sock';
  assert.equal(parseDockerExec('ssh', ['host', 'bash'], d), undefined);
  assert.equal(parseDockerExec('docker', ['exec', '-i', 'c1', 'bash'], d), undefined, 'no tty');
  assert.equal(parseDockerExec('docker', ['exec', '-it', '--privileged', 'c1', 'bash'], d), undefined, 'unknown flag');
  assert.equal(parseDockerExec('docker', ['-H', 'tcp://10.0.0.1:2376', 'exec', '-it', 'c1', 'bash'], d), undefined, 'remote engine');
  assert.equal(parseDockerExec('docker', ['exec', '-it', 'c1'], d), undefined, 'no command');
  assert.equal(parseDockerExec('docker', ['run', '-it', 'img'], d), undefined);
});

test('withTerm adds TERM to a docker exec that lacks it, once', () => {
  assert.deepEqual(withTerm({ file: 'docker', args: ['exec', '-it', 'c', 'bash'] }).args, ['exec', '-e', 'TERM=xterm-256color', '-it', 'c', 'bash']);
  const has = { file: 'docker', args: ['exec', '-it', '-e', 'TERM=xterm', 'c', 'bash'] };
  assert.deepEqual(withTerm(has), has);
  assert.deepEqual(withTerm({ file: 'ssh', args: ['x'] }), { file: 'ssh', args: ['x'] });
});
