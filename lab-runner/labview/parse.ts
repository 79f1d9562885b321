// tcpdump's text output (`tcpdump -l -n -e -tt`) → PacketRow, headers only. Two link formats
// occur: Ethernet ("SRCMAC > DSTMAC, ethertype …") on a named interface, and Linux cooked v2
// ("IFACE In ifindex N MAC ethertype …") on `-i any`. A VXLAN packet is printed on two lines:
// the outer UDP packet ends with "vni N" and the inner Ethernet frame follows WITHOUT a timestamp,
// so the parser holds such a row until its inner line (or the next packet) arrives.
// Nothing a packet carries beyond its headers reaches a row: TCP payload decodes ("HTTP: GET …")
// are cut off at "length N", and we never run tcpdump with -X/-A.
import type { PacketRow } from '../../protocol/labview.ts';

type Row = Omit<PacketRow, 'n'>;

const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const ETHER = new RegExp(`^(${MAC}) > (${MAC}), ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`);
const ETHER_NO_TYPE = new RegExp(`^(${MAC}) > (${MAC}), (.*)$`);
const COOKED = new RegExp(`^(\\S+)\\s+(?:In|Out|P|M|B|Hst|Oth|\\S+)?\\s*ifindex \\d+ (?:(${MAC}) )?ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`);
const TS = /^(\d{9,11}\.\d{1,9}) (.*)$/;
const IP_PAIR = /^(\S+) > (\S+?): (.*)$/;
const ADDR_PORT = /^(\d+\.\d+\.\d+\.\d+)\.(\d+)$/;
const MAX_SUMMARY = 180;

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_SUMMARY ? one.slice(0, MAX_SUMMARY - 1) + '…' : one;
}

/** Splits "10.0.0.2.53" into IP and port (tcpdump -n joins them with a dot). */
export function splitAddr(a: string): { ip: string; port?: number } {
  const m = ADDR_PORT.exec(a);
  return m ? { ip: m[1]!, port: Number(m[2]) } : { ip: a };
}

const DNS_QUERY = /^(\d+)\+?(?:%)?(?: \[[^\]]*\])* (?:[A-Za-z0-9]+ )?([A-Z0-9]+)\? (\S+) \(\d+\)$/;
const DNS_ANSWER = /^(\d+)[*\-|$]*(?: ([A-Za-z]+(?:\*)?))? (\d+)\/(\d+)\/(\d+)(.*?)(?: \(\d+\))?$/;

function dnsSummary(rest: string): string | undefined {
  const q = DNS_QUERY.exec(rest);
  if (q) return `query ${q[2]}? ${q[3]}`;
  const a = DNS_ANSWER.exec(rest);
  if (a) {
    const rcode = a[2] && /^(NXDomain|ServFail|Refused|FormErr|NotImp)$/.test(a[2]) ? a[2] : undefined;
    const records = a[6]!.trim().replace(/\s*\(\d+\)$/, '');
    if (rcode) return `answer ${rcode}`;
    return records ? `answer ${records}` : `answer (${a[3]} records)`;
  }
  return undefined;
}

/** The part after "SRC > DST: " of an IPv4 packet. */
function ipv4(src: string, dst: string, rest: string): Pick<Row, 'proto' | 'summary'> & { vxlan?: boolean } {
  if (rest.startsWith('ICMP ')) {
    const echo = /^ICMP (echo (?:request|reply)), id (\d+), seq (\d+)/.exec(rest);
    return { proto: 'ICMP', summary: echo ? `${echo[1]} id ${echo[2]} seq ${echo[3]}` : clip(rest.slice(5).replace(/, length \d+$/, '')) };
  }
  if (rest.startsWith('VXLAN')) {
    const vni = /vni (\d+)/.exec(rest);
    return { proto: 'VXLAN', summary: `VXLAN vni ${vni ? vni[1] : '?'}`, vxlan: true };
  }
  const s = splitAddr(src), d = splitAddr(dst);
  const dnsy = s.port === 53 || d.port === 53 || d.ip === '127.0.0.11' || s.ip === '127.0.0.11';
  if (dnsy) {
    const dns = dnsSummary(rest);
    if (dns) return { proto: 'DNS', summary: dns };
  }
  if (rest.startsWith('Flags [')) {
    const f = /^Flags \[([^\]]*)\](?:, seq [\d:]+)?(?:, ack \d+)?.*?, length (\d+)/.exec(rest);
    return { proto: 'TCP', summary: f ? `Flags [${f[1]}] length ${f[2]}` : clip(rest.replace(/, length (\d+).*$/, ', length $1')) };
  }
  if (/^UDP, length \d+/.test(rest)) return { proto: 'UDP', summary: rest.replace(/^UDP, /, '') };
  if (dnsy) return { proto: 'UDP', summary: clip(rest.replace(/ \(\d+\)$/, '')) };
  return { proto: 'other', summary: clip(rest.replace(/(length \d+):.*$/, '$1')) };
}

function arp(rest: string): Pick<Row, 'proto' | 'summary' | 'src' | 'dst'> {
  const req = /^Request who-has (\S+)(?: \([^)]*\))? tell (\S+),/.exec(rest);
  if (req) return { proto: 'ARP', summary: `who-has ${req[1]}? tell ${req[2]}`, src: req[2], dst: req[1] };
  const rep = /^Reply (\S+) is-at (\S+),/.exec(rest);
  if (rep) return { proto: 'ARP', summary: `${rep[1]} is-at ${rep[2]}`, src: rep[1] };
  return { proto: 'ARP', summary: clip(rest.replace(/, length \d+$/, '')) };
}

/** Parses the link-layer part and everything after it (one packet, or a VXLAN inner frame). */
export function parseFrame(text: string, iface: string): (Row & { vxlan?: boolean }) | undefined {
  let srcMac: string | undefined, dstMac: string | undefined, type: string, rest: string;
  let m = ETHER.exec(text);
  if (m) { [srcMac, dstMac, type, rest] = [m[1], m[2], m[3]!, m[4]!]; }
  else if ((m = COOKED.exec(text))) { iface = m[1]!; srcMac = m[2]; type = m[3]!; rest = m[4]!; }
  else if ((m = ETHER_NO_TYPE.exec(text))) return { t: 0, iface, srcMac: m[1], dstMac: m[2], proto: 'other', summary: clip(m[3]!.replace(/(length \d+):.*$/, '$1')) };
  else return undefined;
  const base = { t: 0, iface, ...(srcMac ? { srcMac } : {}), ...(dstMac ? { dstMac } : {}) };
  if (type === 'ARP') return { ...base, ...arp(rest) };
  if (type === 'IPv4') {
    const ip = IP_PAIR.exec(rest);
    if (!ip) return { ...base, proto: 'other', summary: clip(rest) };
    return { ...base, src: ip[1], dst: ip[2], ...ipv4(ip[1]!, ip[2]!, ip[3]!) };
  }
  if (type === 'IPv6') {
    const ip = IP_PAIR.exec(rest);
    return { ...base, ...(ip ? { src: ip[1], dst: ip[2] } : {}), proto: 'IPv6', summary: clip((ip ? ip[3]! : rest).replace(/(length \d+):.*$/, '$1')) };
  }
  return { ...base, proto: 'other', summary: `ethertype ${type}` };
}

export interface ParserOptions {
  /** The interface tcpdump listens on (a cooked `-i any` line names its own). */
  iface: string;
  onRow(row: Row): void;
}

/**
 * Feeds tcpdump's stdout text; calls onRow for every packet. Call flush() when the output pauses
 * (a VXLAN row waits for its inner frame) and at the end.
 */
export class TcpdumpParser {
  private buf = '';
  private pending: (Row & { vxlan?: boolean }) | undefined;
  /** Lines that were not packets (tcpdump's own messages), for error reports. */
  readonly notes: string[] = [];

  constructor(private readonly opts: ParserOptions) {}

  push(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.line(line);
    }
    // A single line longer than this is not tcpdump's header output: drop it.
    if (this.buf.length > 64 * 1024) this.buf = '';
  }

  /** Whether a VXLAN row is waiting for its inner line. */
  get waiting(): boolean { return this.pending !== undefined; }

  flush(): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) this.emit(p);
  }

  private emit(r: Row & { vxlan?: boolean }): void {
    const { vxlan: _drop, ...row } = r;
    this.opts.onRow(row);
  }

  line(line: string): void {
    if (!line.trim()) return;
    const ts = TS.exec(line);
    if (!ts) {
      // The inner frame of the VXLAN packet above.
      if (this.pending) {
        const inner = parseFrame(line.trim(), this.opts.iface);
        const p = this.pending;
        this.pending = undefined;
        if (inner) {
          const who = inner.src && inner.dst ? `${inner.src} > ${inner.dst}` : '';
          p.summary = clip(`${p.summary}: ${who}${who ? ' ' : ''}${inner.proto === 'other' ? inner.summary : `${inner.proto} ${inner.summary}`}`);
        }
        this.emit(p);
      } else if (this.notes.length < 20) this.notes.push(line);
      return;
    }
    this.flush();
    const row = parseFrame(ts[2]!, this.opts.iface);
    if (!row) { if (this.notes.length < 20) this.notes.push(line); return; }
    row.t = Math.round(Number(ts[1]) * 1000 * 1000) / 1000;
    if (row.vxlan) this.pending = row;
    else this.emit(row);
  }
}
