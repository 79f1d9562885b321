// Recent output of one terminal session, addressed by a monotonic byte offset so that a
// re-attaching client can ask for exactly what it has not seen (no duplicates, no gaps while
// the bytes are still held). Fixed capacity: a `yes` flood overwrites, never grows memory.
export class RingBuffer {
  private readonly buf: Buffer;
  private writePos = 0;
  /** Total bytes ever written (the offset just past the newest byte). */
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError('ring buffer capacity must be a positive integer');
    this.buf = Buffer.alloc(capacity);
  }

  /** Offset of the newest byte + 1. */
  get end(): number { return this.total; }
  /** Offset of the oldest byte still held. */
  get start(): number { return Math.max(0, this.total - this.capacity); }
  get size(): number { return this.total - this.start; }

  write(data: Uint8Array): void {
    let src = data;
    if (src.length >= this.capacity) {
      // Only the tail survives; keep the offsets right.
      this.total += src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
      this.writePos = 0;
      this.buf.set(src, 0);
      this.total += src.length;
      return;
    }
    const first = Math.min(src.length, this.capacity - this.writePos);
    this.buf.set(src.subarray(0, first), this.writePos);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.writePos = (this.writePos + src.length) % this.capacity;
    this.total += src.length;
  }

  /** Copies of the bytes from `from` (clamped to start) to end. */
  readFrom(from: number): { from: number; data: Buffer } {
    const begin = Math.min(Math.max(from, this.start), this.total);
    const len = this.total - begin;
    if (len === 0) return { from: begin, data: Buffer.alloc(0) };
    const oldest = this.total <= this.capacity ? 0 : this.writePos; // physical index of `start`
    const phys = (oldest + (begin - this.start)) % this.capacity;
    const out = Buffer.alloc(len);
    const first = Math.min(len, this.capacity - phys);
    this.buf.copy(out, 0, phys, phys + first);
    if (first < len) this.buf.copy(out, first, 0, len - first);
    return { from: begin, data: out };
  }

  /**
   * What a fresh screen should replay: everything held, but when the oldest bytes were
   * overwritten, starting after the first newline so that a cut escape sequence or UTF-8
   * character does not paint garbage.
   */
  replay(): { from: number; data: Buffer } {
    const all = this.readFrom(this.start);
    if (this.start === 0) return all;
    const nl = all.data.indexOf(0x0a);
    if (nl < 0 || nl === all.data.length - 1) return all;
    return { from: all.from + nl + 1, data: all.data.subarray(nl + 1) };
  }
}
