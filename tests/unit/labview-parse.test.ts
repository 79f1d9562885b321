// The tcpdump line parser against lines recorded from real sandboxes (dnl/host, tcpdump 4.99.3,
// `tcpdump -l -n -e -tt`): a user-defined bridge, `-i any`, a container's loopback (DNS to
// 127.0.0.11 after Docker's DNAT, with -T domain), and VXLAN between node1 and node2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpdumpParser, splitAddr } from '../../lab-runner/labview/parse.ts';
import type { PacketRow } from '../../protocol/labview.ts';

function parse(text: string, iface = 'br-2fd0e8530d98'): Array<Omit<PacketRow, 'n'>> {
  const rows: Array<Omit<PacketRow, 'n'>> = [];
  const p = new TcpdumpParser({ iface, onRow: (r) => rows.push(r) });
  p.push(text);
  p.flush();
  return rows;
}

const BRIDGE = `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on br-2fd0e8530d98, link-type EN10MB (Ethernet), snapshot length 262144 bytes
1795941082.007656 02:42:ac:12:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.18.0.3 tell 172.18.0.2, length 28
1795941082.007695 02:42:ac:12:00:03 > 02:42:ac:12:00:02, ethertype ARP (0x0806), length 42: Reply 172.18.0.3 is-at 02:42:ac:12:00:03, length 28
1795941082.007699 02:42:ac:12:00:02 > 02:42:ac:12:00:03, ethertype IPv4 (0x0800), length 98: 172.18.0.2 > 172.18.0.3: ICMP echo request, id 8, seq 0, length 64
1795941082.007726 02:42:ac:12:00:03 > 02:42:ac:12:00:02, ethertype IPv4 (0x0800), length 98: 172.18.0.3 > 172.18.0.2: ICMP echo reply, id 8, seq 0, length 64
`;

test('ARP who-has / is-at and ICMP echo request / reply on a bridge', () => {
  const rows = parse(BRIDGE);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[0], { t: 1795941082007.656, iface: 'br-2fd0e8530d98', srcMac: '02:42:ac:12:00:02', dstMac: 'ff:ff:ff:ff:ff:ff', proto: 'ARP', summary: 'who-has 172.18.0.3? tell 172.18.0.2', src: '172.18.0.2', dst: '172.18.0.3' });
  assert.equal(rows[1]!.summary, '172.18.0.3 is-at 02:42:ac:12:00:03');
  assert.equal(rows[1]!.src, '172.18.0.3');
  assert.deepEqual([rows[2]!.proto, rows[2]!.src, rows[2]!.dst, rows[2]!.summary], ['ICMP', '172.18.0.2', '172.18.0.3', 'echo request id 8 seq 0']);
  assert.deepEqual([rows[3]!.proto, rows[3]!.summary, rows[3]!.dstMac], ['ICMP', 'echo reply id 8 seq 0', '02:42:ac:12:00:02']);
});

test('-i any (Linux cooked v2) lines name their own interface', () => {
  const rows = parse(`1795941090.239704 veth9ac73b4 P   ifindex 5 02:42:ac:12:00:02 ethertype IPv4 (0x0800), length 104: 172.18.0.2 > 172.18.0.3: ICMP echo request, id 22, seq 0, length 64
1795941090.239730 veth4e2906d Out ifindex 7 02:42:ac:12:00:02 ethertype IPv4 (0x0800), length 104: 172.18.0.2 > 172.18.0.3: ICMP echo request, id 22, seq 0, length 64
`, 'any');
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[0]!.iface, rows[0]!.srcMac, rows[0]!.dstMac, rows[0]!.proto], ['veth9ac73b4', '02:42:ac:12:00:02', undefined, 'ICMP']);
  assert.equal(rows[1]!.iface, 'veth4e2906d');
});

test('DNS to the embedded server 127.0.0.11: query (DNAT port, -T domain) and answer', () => {
  const rows = parse(`1795941258.735501 lo    In  ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 95: 127.0.0.1.34906 > 127.0.0.11.33929: 25096+ [1au] A? client. (47)
1795941258.736572 lo    In  ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 94: 127.0.0.11.53 > 127.0.0.1.34906: 25096 1/0/0 A 172.18.0.2 (46)
1795941258.735502 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 89: 127.0.0.1.34906 > 127.0.0.11.33929: UDP, length 47
1795941300.1 02:42:ac:12:00:02 > 02:42:ac:12:00:03, ethertype IPv4 (0x0800), length 80: 127.0.0.11.53 > 127.0.0.1.5000: 7 NXDomain 0/0/0 (40)
`, 'any');
  assert.equal(rows.length, 4);
  assert.deepEqual([rows[0]!.proto, rows[0]!.summary, rows[0]!.dst, rows[0]!.iface], ['DNS', 'query A? client.', '127.0.0.11.33929', 'lo']);
  assert.deepEqual([rows[1]!.proto, rows[1]!.summary, splitAddr(rows[1]!.src!).ip], ['DNS', 'answer A 172.18.0.2', '127.0.0.11']);
  assert.deepEqual([rows[2]!.proto, rows[2]!.summary], ['UDP', 'length 47']);
  assert.deepEqual([rows[3]!.proto, rows[3]!.summary], ['DNS', 'answer NXDomain']);
});

test('VXLAN on UDP 4789 between node1 and node2 carries its inner frame in the summary', () => {
  const text = `1795941276.506231 02:42:0a:ca:2d:02 > 02:42:0a:ca:2d:03, ethertype IPv4 (0x0800), length 148: 10.202.45.2.41258 > 10.202.45.3.4789: VXLAN, flags [I] (0x08), vni 4097
02:42:0a:00:01:02 > 02:42:0a:00:01:04, ethertype IPv4 (0x0800), length 98: 10.0.1.2 > 10.0.1.4: ICMP echo request, id 8, seq 0, length 64
1795941276.506324 02:42:0a:ca:2d:03 > 02:42:0a:ca:2d:02, ethertype IPv4 (0x0800), length 148: 10.202.45.3.41258 > 10.202.45.2.4789: VXLAN, flags [I] (0x08), vni 4097
02:42:0a:00:01:04 > 02:42:0a:00:01:02, ethertype IPv4 (0x0800), length 98: 10.0.1.4 > 10.0.1.2: ICMP echo reply, id 8, seq 0, length 64
`;
  const rows = parse(text, 'eth0');
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[0]!.proto, rows[0]!.src, rows[0]!.dst], ['VXLAN', '10.202.45.2.41258', '10.202.45.3.4789']);
  assert.equal(rows[0]!.summary, 'VXLAN vni 4097: 10.0.1.2 > 10.0.1.4 ICMP echo request id 8 seq 0');
  assert.equal(rows[1]!.summary, 'VXLAN vni 4097: 10.0.1.4 > 10.0.1.2 ICMP echo reply id 8 seq 0');
});

test('a VXLAN row split across chunks waits for its inner line; flush() releases a lone one', () => {
  const rows: Array<Omit<PacketRow, 'n'>> = [];
  const p = new TcpdumpParser({ iface: 'eth0', onRow: (r) => rows.push(r) });
  p.push('1795941276.506231 02:42:0a:ca:2d:02 > 02:42:0a:ca:2d:03, ethertype IPv4 (0x0800), length 148: 10.202.45.2.41258 > 10.202.45.3.47');
  p.push('89: VXLAN, flags [I] (0x08), vni 4097\n');
  assert.equal(rows.length, 0);
  assert.equal(p.waiting, true);
  p.push('02:42:0a:00:01:02 > 02:42:0a:00:01:04, ethertype ARP (0x0806), length 42: Request who-has 10.0.1.4 tell 10.0.1.2, length 28\n');
  assert.equal(rows.length, 1);
  assert.match(rows[0]!.summary, /ARP who-has 10\.0\.1\.4\? tell 10\.0\.1\.2/);
  p.push('1795941277.0 02:42:0a:ca:2d:02 > 02:42:0a:ca:2d:03, ethertype IPv4 (0x0800), length 148: 10.202.45.2.41258 > 10.202.45.3.4789: VXLAN, flags [I] (0x08), vni 4097\n');
  p.flush();
  assert.equal(rows.length, 2);
  assert.equal(rows[1]!.summary, 'VXLAN vni 4097');
});

test('TCP rows never carry payload decodes; tcpdump messages are notes, not rows', () => {
  const rows: Array<Omit<PacketRow, 'n'>> = [];
  const p = new TcpdumpParser({ iface: 'docker0', onRow: (r) => rows.push(r) });
  p.push(`tcpdump: data link type LINUX_SLL2
1795941300.5 02:42:ac:11:00:01 > 02:42:ac:11:00:02, ethertype IPv4 (0x0800), length 144: 172.17.0.1.40000 > 172.17.0.2.80: Flags [P.], seq 1:79, ack 1, win 502, options [nop,nop,TS val 1 ecr 2], length 78: HTTP: GET /secret?token=abc HTTP/1.1
1795941300.6 02:42:ac:11:00:01 > 02:42:ac:11:00:02, ethertype IPv4 (0x0800), length 74: 172.17.0.1.40000 > 172.17.0.2.80: Flags [S], seq 123, win 64240, options [mss 1460], length 0
1795941300.7 02:42:ac:11:00:01 > 33:33:00:00:00:16, ethertype IPv6 (0x86dd), length 90: :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28
`);
  p.flush();
  assert.equal(rows.length, 3);
  assert.deepEqual([rows[0]!.proto, rows[0]!.summary], ['TCP', 'Flags [P.] length 78']);
  assert.ok(!JSON.stringify(rows).includes('secret'), 'payload text must not reach a row');
  assert.equal(rows[1]!.summary, 'Flags [S] length 0');
  assert.equal(rows[2]!.proto, 'IPv6');
  assert.deepEqual(p.notes, ['tcpdump: data link type LINUX_SLL2']);
});
