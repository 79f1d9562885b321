// TerminalSession against a fake pty: pause/resume edges, flush-after-input, replay exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalSession, type ClientSink } from '../../lab-runner/terminal/session.ts';
import type { PtyProcess } from '../../lab-runner/terminal/pty.ts';
import { decodeServerFrame, type StatusMessage } from '../../protocol/terminal.ts';

class FakePty implements PtyProcess {
  pid = 42; cols = 80; rows = 24;
  paused = false;
  pauses = 0;
  written: Buffer[] = [];
  private data: Array<(d: Buffer) => void> = [];
  private exit: Array<(e: { exitCode: number | null; signal?: number }) => void> = [];
  onData(cb: (d: Buffer) => void) { this.data.push(cb); }
  onExit(cb: (e: { exitCode: number | null; signal?: number }) => void) { this.exit.push(cb); }
  write(d: Buffer) { this.written.push(d); }
  resize(c: number, r: number) { this.cols = c; this.rows = r; }
  pause() { this.paused = true; this.pauses++; }
  resume() { this.paused = false; }
  kill() { for (const cb of this.exit) cb({ exitCode: null, signal: 1 }); }
  emit(s: string | Buffer) { for (const cb of this.data) cb(Buffer.isBuffer(s) ? s : Buffer.from(s)); }
  end(code: number) { for (const cb of this.exit) cb({ exitCode: code }); }
}

class Sink implements ClientSink {
  out = '';
  bytes = 0;
  statuses: StatusMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  send(f: Uint8Array) {
    const d = decodeServerFrame(f);
    if (d.type === 'output') { this.out += Buffer.from(d.data).toString(); this.bytes += d.data.length; }
    if (d.type === 'status') this.statuses.push(d.status);
  }
  close(code: number, reason: string) { this.closed = { code, reason }; }
}

function session(pty = new FakePty(), o: { high?: number; low?: number; batchMs?: number } = {}) {
  let closed = false;
  const s = new TerminalSession('sb/node1/0', 'sb', 'node1', 0, pty, {
    ringBytes: 1024, batchMs: o.batchMs ?? 1000, idleMs: 60_000, high: o.high ?? 100, low: o.low ?? 20,
    onClosed: () => { closed = true; },
  });
  return { s, pty, isClosed: () => closed };
}

test('paused while nobody is attached; resumes on attach', () => {
  const { s, pty } = session();
  assert.equal(pty.paused, true);
  s.attach(new Sink(), 'rw');
  assert.equal(pty.paused, false);
  s.kill();
});

test('pauses once over the high water mark, resumes below the low one', () => {
  const { s, pty } = session(new FakePty(), { batchMs: 0 });
  const sink = new Sink();
  const c = s.attach(sink, 'rw');
  pty.emit('x'.repeat(60));
  assert.equal(pty.paused, false);
  pty.emit('x'.repeat(60)); // 120 > 100
  assert.equal(pty.paused, true);
  const pauses = pty.pauses;
  pty.emit('x'.repeat(10)); // already paused: no second pause call
  assert.equal(pty.pauses, pauses);
  s.ack(c, 60); // 70 left: still ≥ low
  assert.equal(pty.paused, true);
  s.ack(c, 60); // 10 < 20
  assert.equal(pty.paused, false);
  s.kill();
});

test('a read-only viewer never pauses the shell; far behind, it is dropped', () => {
  const { s, pty } = session(new FakePty(), { batchMs: 0 });
  const owner = new Sink(), viewer = new Sink();
  const oc = s.attach(owner, 'rw');
  s.attach(viewer, 'ro');
  for (let i = 0; i < 5; i++) { pty.emit('y'.repeat(90)); s.ack(oc, 90); }
  assert.equal(pty.paused, false);
  assert.equal(viewer.closed?.code, 4429);
  assert.ok(owner.bytes >= 450);
  s.kill();
});

test('output waits for the batch during a flood but goes at once after input', () => {
  const { s, pty } = session(new FakePty(), { batchMs: 1000, high: 1e6, low: 10 });
  const sink = new Sink();
  const c = s.attach(sink, 'rw');
  pty.emit('first'); // after quiet: at once
  assert.equal(sink.out, 'first');
  pty.emit('second'); // within the batch window: held
  assert.equal(sink.out, 'first');
  s.input(c, Buffer.from('a'));
  assert.equal(pty.written.map(String).join(''), 'a');
  pty.emit('echo-a'); // right after input: at once (and the held bytes with it, in order)
  assert.equal(sink.out, 'firstsecondecho-a');
  s.kill();
});

test('attach replays what the ring holds exactly once, including bytes still waiting in a batch', () => {
  const { s, pty } = session(new FakePty(), { batchMs: 1000, high: 1e6, low: 10 });
  const a = new Sink();
  s.attach(a, 'rw');
  pty.emit('one\r\n');
  pty.emit('two\r\n'); // held in the batch
  const b = new Sink();
  s.attach(b, 'rw');
  const ready = b.statuses[0];
  assert.equal(ready?.state, 'ready');
  assert.equal(b.out, 'one\r\ntwo\r\n');
  assert.equal(a.out, 'one\r\ntwo\r\n', 'the first client got the batch before the second attached');
  pty.emit('three\r\n');
  pty.emit('four\r\n');
  assert.equal((b.out.match(/two/g) ?? []).length, 1);
  // A resume from an offset sends only the rest.
  const c = new Sink();
  s.attach(c, 'rw', { session: s.id, seen: 5 });
  assert.ok(c.out.startsWith('two\r\n'), JSON.stringify(c.out));
  s.kill();
});

test('input from a viewer is refused; exit is reported and the session closes', () => {
  const { s, pty, isClosed } = session();
  const v = new Sink();
  const vc = s.attach(v, 'ro');
  assert.equal(s.input(vc, Buffer.from('rm -rf /\r')), false);
  assert.equal(pty.written.length, 0);
  pty.end(3);
  assert.deepEqual(v.statuses.at(-1), { state: 'exited', code: 3, message: 'The shell exited with code 3.' });
  assert.equal(v.closed?.code, 1000);
  assert.equal(isClosed(), true);
});

test('Ctrl-C during a flood skips the queued backlog and shows its end (the new prompt)', async () => {
  const { s, pty } = session(new FakePty(), { batchMs: 0, high: 100, low: 20 });
  const sink = new Sink();
  const c = s.attach(sink, 'rw');
  pty.emit('y\r\n'.repeat(50)); // 150 > high: paused
  assert.equal(pty.paused, true);
  s.input(c, Buffer.from([0x03]));
  assert.equal(pty.paused, false, 'resumed to drain the backlog');
  const before = sink.bytes;
  for (let i = 0; i < 100; i++) pty.emit('y\r\n'.repeat(1000)); // 300 KB queued in the plumbing
  pty.emit('^C\r\nroot@node1:~# ');
  assert.equal(sink.bytes, before, 'nothing forwarded while skipping');
  await new Promise((r) => setTimeout(r, 150)); // the skip ends after 60 ms of quiet
  const shown = sink.out.slice(-5000);
  assert.match(shown, /KB of output skipped after Ctrl-C/);
  assert.ok(shown.endsWith('^C\r\nroot@node1:~# '), JSON.stringify(shown.slice(-60)));
  assert.ok(sink.bytes - before < 6000, `forwarded ${sink.bytes - before} bytes`);
  // An idle Ctrl-C (no flood) is just a keystroke.
  s.ack(c, sink.bytes);
  const b2 = sink.bytes;
  s.input(c, Buffer.from([0x03]));
  pty.emit('^C\r\nroot@node1:~# ');
  assert.ok(sink.out.endsWith('^C\r\nroot@node1:~# root@node1:~# ') || sink.out.endsWith('^C\r\nroot@node1:~# '));
  assert.ok(sink.bytes > b2);
  s.kill();
});
