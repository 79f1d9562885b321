import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, checkCostlyAction } from '../../lab-runner/api/rate-limit.ts';
import { HttpError } from '../../lab-runner/api/http.ts';
import type { IncomingMessage } from 'node:http';

test('a burst up to the limit passes, the next waits; tokens come back with time', () => {
  let now = 0;
  const r = new RateLimiter(6, () => now);
  for (let i = 0; i < 6; i++) assert.equal(r.take('a'), 0, `request ${i + 1}`);
  assert.equal(r.take('a'), 10, 'one token every 10 s at 6 per minute');
  assert.equal(r.take('b'), 0, 'another key has its own bucket');
  now += 10_000;
  assert.equal(r.take('a'), 0);
  assert.ok(r.take('a') > 0);
  now += 3_600_000;
  for (let i = 0; i < 6; i++) assert.equal(r.take('a'), 0, 'refilled, never above the limit');
  assert.ok(r.take('a') > 0);
});

test('the key table is bounded', () => {
  const r = new RateLimiter(1, () => 0, 100);
  for (let i = 0; i < 1000; i++) r.take(`k${i}`);
  assert.equal(r.take('k0'), 0, 'the oldest keys were forgotten (a fresh bucket)');
  assert.ok(r.take('k999') > 0, 'recent keys are remembered');
});

test('a learner over the limit gets a 429 with words and Retry-After; so does an address', () => {
  const req = { socket: { remoteAddress: '192.0.2.7' } } as unknown as IncomingMessage;
  const headers: Record<string, string> = {};
  const res = { setHeader: (n: string, v: string) => { headers[n] = v; } };
  const limits = { learner: new RateLimiter(2, () => 0), address: new RateLimiter(3, () => 0) };
  checkCostlyAction(limits, req, 'l_a', res);
  checkCostlyAction(limits, req, 'l_a', res);
  assert.throws(() => checkCostlyAction(limits, req, 'l_a', res), (e: unknown) => e instanceof HttpError && e.status === 429 && /Try again in \d+ s/.test(e.message));
  assert.match(headers['retry-after'] ?? '', /^\d+$/);
  checkCostlyAction(limits, req, 'l_b', res); // the address's third
  assert.throws(() => checkCostlyAction(limits, req, 'l_c', res), (e: unknown) => e instanceof HttpError && e.status === 429, 'a fresh learner behind a spent address');
});
