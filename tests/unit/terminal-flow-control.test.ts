import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowControl } from '../../lab-runner/terminal/flow-control.ts';

test('pauses once when crossing high, resumes once when falling below low', () => {
  const f = new FlowControl(1000, 200);
  assert.equal(f.sent(600), false);
  assert.equal(f.sent(600), true); // crossed 1000
  assert.equal(f.sent(600), false); // already above: no second pause
  assert.equal(f.overHigh, true);
  assert.equal(f.acked(1000), false); // 800: still above low
  assert.equal(f.acked(700), true); // 100 < 200
  assert.equal(f.acked(50), false); // already below: no second resume
  assert.equal(f.pending, 50);
});

test('an over-ack cannot go negative', () => {
  const f = new FlowControl(10, 5);
  f.sent(3);
  f.acked(1_000_000);
  assert.equal(f.pending, 0);
  assert.equal(f.sent(11), true);
});

test('water marks must be ordered', () => {
  assert.throws(() => new FlowControl(10, 10), RangeError);
});

test('protocol water marks leave no ack deadlock (LOW ≥ ACK_EVERY < HIGH)', async () => {
  const { ACK_EVERY, HIGH_WATER, LOW_WATER } = await import('../../protocol/terminal.ts');
  assert.ok(LOW_WATER >= ACK_EVERY && ACK_EVERY < HIGH_WATER && LOW_WATER < HIGH_WATER);
});
