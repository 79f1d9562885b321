// Ack-based back-pressure with explicit water marks (as WeTTY's flowcontrol.ts): the server
// counts bytes sent to a client, the client acks bytes its xterm has processed. Crossing HIGH
// asks to pause the pty; falling below LOW asks to resume. Edges only: the pty is paused once
// per flood, not per chunk.
export class FlowControl {
  private unacked = 0;

  constructor(readonly high: number, readonly low: number) {
    if (!(low >= 0 && low < high)) throw new RangeError('flow control needs 0 <= low < high');
  }

  get pending(): number { return this.unacked; }
  get overHigh(): boolean { return this.unacked > this.high; }

  /** Bytes were sent; true when this crossed the high water mark (pause now). */
  sent(bytes: number): boolean {
    const before = this.unacked;
    this.unacked += bytes;
    return before <= this.high && this.unacked > this.high;
  }

  /** Bytes were acked; true when this fell below the low water mark (may resume now). */
  acked(bytes: number): boolean {
    const before = this.unacked;
    // A client cannot ack more than it was sent (a lying client must not unblock a flood forever).
    this.unacked = Math.max(0, this.unacked - bytes);
    return before >= this.low && this.unacked < this.low;
  }
}
