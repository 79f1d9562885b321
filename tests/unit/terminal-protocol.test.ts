import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameError, MAX_FRAME, Op, closeReason, decodeClientFrame, decodeServerFrame, encodeAck, encodeAuth, encodeInput,
  encodeOutput, encodePing, encodePong, encodeResize, encodeStatus,
} from '../../protocol/terminal.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

test('client frames round-trip', () => {
  assert.deepEqual(decodeClientFrame(encodeAuth({ token: 'x'.repeat(20), cols: 80, rows: 24 }), true),
    { type: 'auth', auth: { token: 'x'.repeat(20), cols: 80, rows: 24, terminal: 0 } });
  const inp = decodeClientFrame(encodeInput('ls -l\r'), false);
  assert.equal(inp.type, 'input');
  assert.equal(Buffer.from((inp as { data: Uint8Array }).data).toString(), 'ls -l\r');
  assert.deepEqual(decodeClientFrame(encodeResize(132, 43), false), { type: 'resize', cols: 132, rows: 43 });
  assert.deepEqual(decodeClientFrame(encodeAck(100_000), false), { type: 'ack', bytes: 100_000 });
  assert.deepEqual(decodeClientFrame(encodeAck(4_000_000_000), false), { type: 'ack', bytes: 4_000_000_000 });
  const ping = decodeClientFrame(encodePing(bytes(1, 2, 3)), false);
  assert.deepEqual(ping, { type: 'ping', payload: bytes(1, 2, 3) });
});

test('server frames round-trip', () => {
  const out = decodeServerFrame(encodeOutput(bytes(104, 105)));
  assert.deepEqual(out, { type: 'output', data: bytes(104, 105) });
  const ready = { state: 'ready', mode: 'rw', session: 's1', from: 0, replay: 10, host: 'node1', terminal: 0 } as const;
  assert.deepEqual(decodeServerFrame(encodeStatus(ready)), { type: 'status', status: ready });
  assert.deepEqual(decodeServerFrame(encodeStatus({ state: 'exited', code: 0, message: 'bye' })).type, 'status');
  assert.deepEqual(decodeServerFrame(encodePong(bytes(9))), { type: 'pong', payload: bytes(9) });
  assert.throws(() => decodeServerFrame(bytes(Op.STATUS, 0x7b)), FrameError);
  assert.throws(() => decodeServerFrame(bytes(0x7f)), /unknown server opcode/);
});

test('malformed client frames are refused with words', () => {
  const bad: Array<[Uint8Array, boolean, RegExp]> = [
    [bytes(), false, /empty frame/],
    [encodeInput('ls'), true, /first frame must be the auth JSON/],
    [new TextEncoder().encode('{not json'), true, /not valid JSON/],
    [encodeAuth({ token: 'short', cols: 80, rows: 24 }), true, /token/],
    [encodeAuth({ token: 'x'.repeat(20), cols: 0, rows: 24 }), true, /cols/],
    [new TextEncoder().encode(JSON.stringify({ token: 'x'.repeat(20), cols: 80, rows: 24, evil: 1 })), true, /evil|Unrecognized/i],
    [bytes(Op.RESIZE, 0, 80), false, /4 bytes/],
    [encodeResize(5000, 24), false, /out of range/],
    [bytes(Op.ACK, 1), false, /4 bytes/],
    [encodePing(new Uint8Array(65)), false, /larger than 64/],
    [bytes(0xff, 1, 2), false, /unknown opcode 0xff/],
    [encodeAuth({ token: 'x'.repeat(20), cols: 80, rows: 24 }), false, /already authenticated/],
    [new Uint8Array(MAX_FRAME + 1).fill(Op.INPUT), false, /exceeds/],
  ];
  for (const [frame, auth, re] of bad) assert.throws(() => decodeClientFrame(frame, auth), (e: unknown) => e instanceof FrameError && re.test(e.message), re.source);
});

test('close reasons fit the 123-byte limit, even with multi-byte characters', () => {
  assert.equal(closeReason('short'), 'short');
  const long = closeReason('é'.repeat(200));
  assert.ok(new TextEncoder().encode(long).length <= 123);
  assert.ok(long.endsWith('…'));
});
