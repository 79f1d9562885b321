import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../lab-runner/terminal/ring-buffer.ts';

const b = (s: string) => Buffer.from(s);

test('holds everything until full, addressed by offset', () => {
  const r = new RingBuffer(10);
  r.write(b('hello'));
  assert.deepEqual([r.start, r.end, r.size], [0, 5, 5]);
  assert.equal(r.readFrom(0).data.toString(), 'hello');
  assert.equal(r.readFrom(2).data.toString(), 'llo');
  assert.deepEqual(r.readFrom(5), { from: 5, data: Buffer.alloc(0) });
  assert.equal(r.replay().data.toString(), 'hello');
});

test('wraps around and keeps only the newest bytes', () => {
  const r = new RingBuffer(8);
  r.write(b('abcdef'));
  r.write(b('ghij'));
  assert.deepEqual([r.start, r.end], [2, 10]);
  assert.equal(r.readFrom(0).data.toString(), 'cdefghij');
  assert.equal(r.readFrom(0).from, 2);
  assert.equal(r.readFrom(7).data.toString(), 'hij');
  r.write(b('0123456789ABC')); // larger than capacity
  assert.deepEqual([r.start, r.end], [15, 23]);
  assert.equal(r.readFrom(0).data.toString(), '6789ABC'.padStart(8, '5'));
});

test('a replay after wrap-around starts at a line boundary', () => {
  const r = new RingBuffer(16);
  r.write(b('\x1b[31mlong-cut-line\nline2\nline3\n'));
  const rep = r.replay();
  assert.ok(rep.data.toString().startsWith('line2') || rep.data.toString().startsWith('line3'), rep.data.toString());
  assert.equal(rep.from + rep.data.length, r.end);
});

test('many small writes equal one big write (property check)', () => {
  const cap = 257;
  const r = new RingBuffer(cap);
  let all = '';
  for (let i = 0; i < 2000; i++) {
    const s = `${i}:${'x'.repeat(i % 37)}\n`;
    r.write(b(s));
    all += s;
    if (i % 97 === 0) {
      const from = Math.max(0, all.length - cap) + (i % 50);
      assert.equal(r.readFrom(from).data.toString(), all.slice(Math.min(from, all.length)));
    }
  }
  assert.equal(r.end, all.length);
  assert.equal(r.readFrom(0).data.toString(), all.slice(-cap));
});
