// Wire types of the lab views (issue 10): published ports opened through the platform
// (/lab/<sandbox>/<host>/<port>/…) and the live packet view (/runner/ws/labview). Shared by the
// web app and the lab runner. Browser-safe: zod only.
import { z } from 'zod';

export const LABVIEW_WS_PATH = '/runner/ws/labview';
/** Every proxied URL starts here; the runner (not Next) answers it. */
export const LAB_PROXY_PREFIX = '/lab/';

export const SANDBOX_RE = /^[a-z0-9]{1,16}$/;
export const HOST_RE = /^node[1-8]$/;
/** Interface and Docker network names as Linux and Docker allow them (no shell or path tricks). */
export const IFACE_RE = /^[A-Za-z0-9_.@-]{1,64}$/;
/** A BPF filter is passed to tcpdump as argv (never through a shell); this keeps it to BPF's own alphabet. */
export const FILTER_RE = /^[A-Za-z0-9 .:/()!&|<>=[\]*+-]*$/;

/** The proxied URL of a published port. */
export function labUrl(sandbox: string, host: string, port: number): string {
  return `${LAB_PROXY_PREFIX}${sandbox}/${host}/${port}/`;
}

export const PublishedPortSchema = z.object({
  host: z.string().describe('Sandbox host the port is published on (node1 …)'),
  port: z.number().int().describe('Host port (the number after -p, before the colon)'),
  containerPort: z.number().int().describe('Port inside the container'),
  container: z.string().describe('Inner container name'),
  url: z.string().describe('Path under which the platform proxies it'),
});
export type PublishedPort = z.infer<typeof PublishedPortSchema>;

export const CaptureTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('interface'), name: z.string().regex(IFACE_RE) }).describe('An interface of the sandbox host (eth0, docker0, br-…, any)'),
  z.object({ kind: z.literal('network'), name: z.string().regex(IFACE_RE) }).describe('An inner Docker network: its bridge (bridge driver) or the host’s eth0 carrying its VXLAN (overlay)'),
  z.object({ kind: z.literal('container'), name: z.string().regex(IFACE_RE) }).describe('Every interface inside an inner container, loopback included (sees DNS to 127.0.0.11)'),
]);
export type CaptureTarget = z.infer<typeof CaptureTargetSchema>;

export const CAPTURE_LIMITS = { maxPackets: 20_000, maxSeconds: 300, defaultPackets: 5_000, defaultSeconds: 120, rowsPerSecond: 40 } as const;

export const LabViewClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    host: z.string().regex(HOST_RE),
    target: CaptureTargetSchema,
    filter: z.string().max(200).regex(FILTER_RE, 'a filter may use letters, digits, spaces and . : / ( ) ! & | < > = [ ] * + - only').default(''),
    maxPackets: z.number().int().min(1).max(CAPTURE_LIMITS.maxPackets).optional(),
    maxSeconds: z.number().int().min(1).max(CAPTURE_LIMITS.maxSeconds).optional(),
    preset: z.string().max(40).optional(),
  }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z.object({ type: z.literal('targets'), host: z.string().regex(HOST_RE) }).strict(),
]);
export type LabViewClientMessage = z.infer<typeof LabViewClientMessageSchema>;

export const PacketRowSchema = z.object({
  n: z.number().int().describe('Sequence number within the capture'),
  t: z.number().describe('Capture time, epoch ms'),
  iface: z.string(),
  srcMac: z.string().optional(),
  dstMac: z.string().optional(),
  src: z.string().optional().describe('Source IP (with .port for TCP/UDP)'),
  dst: z.string().optional(),
  srcName: z.string().optional().describe('Container or host that owns the source address'),
  dstName: z.string().optional(),
  proto: z.enum(['ARP', 'ICMP', 'DNS', 'VXLAN', 'TCP', 'UDP', 'IPv6', 'other']),
  summary: z.string().describe('One line, headers only: never payload bytes'),
});
export type PacketRow = z.infer<typeof PacketRowSchema>;

export const CaptureTargetsSchema = z.object({
  host: z.string(),
  interfaces: z.array(z.string()),
  networks: z.array(z.object({ name: z.string(), driver: z.string() })),
  containers: z.array(z.string()),
});
export type CaptureTargets = z.infer<typeof CaptureTargetsSchema>;

export const LabViewServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ports'), ports: z.array(PublishedPortSchema) }),
  z.object({ type: z.literal('targets') }).extend(CaptureTargetsSchema.shape),
  z.object({
    type: z.literal('capture'),
    state: z.enum(['running', 'stopped']),
    host: z.string(),
    iface: z.string().describe('What tcpdump listens on'),
    filter: z.string(),
    preset: z.string().optional(),
    reason: z.string().optional().describe('Why it stopped (limit reached, stopped by you, tcpdump error …)'),
    packets: z.number().int().optional().describe('Packets seen by the runner'),
    shown: z.number().int().optional().describe('Rows sent to the page'),
  }),
  z.object({ type: z.literal('packets'), rows: z.array(PacketRowSchema) }),
  z.object({ type: z.literal('skipped'), count: z.number().int().describe('Packets not shown since the last report (rate limit)') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type LabViewServerMessage = z.infer<typeof LabViewServerMessageSchema>;

/** Lesson presets: what <PacketView preset="…"/> starts. */
export interface CapturePreset {
  host: string;
  target: CaptureTarget;
  filter: string;
  title: { en: string; ko: string };
}

export const CAPTURE_PRESETS = {
  bridge: {
    host: 'node1', target: { kind: 'network', name: 'my_bridge_network' }, filter: 'arp or icmp',
    title: { en: 'Watch container3 ping container4 on my_bridge_network', ko: 'my_bridge_network에서 container3이 container4에 ping 하는 모습 보기' },
  },
  'default-bridge': {
    host: 'node1', target: { kind: 'network', name: 'bridge' }, filter: 'arp or icmp',
    title: { en: 'Watch the default bridge (docker0)', ko: '기본 bridge(docker0) 지켜보기' },
  },
  dns: {
    host: 'node1', target: { kind: 'container', name: 'client' }, filter: 'host 127.0.0.11',
    title: { en: 'See the embedded DNS (127.0.0.11) answer', ko: '내장 DNS(127.0.0.11)의 응답 보기' },
  },
  ports: {
    host: 'node1', target: { kind: 'interface', name: 'any' }, filter: 'tcp port 8080 or tcp port 80',
    title: { en: 'Watch a published port being reached', ko: '공개된 포트로 들어오는 연결 보기' },
  },
  overlay: {
    host: 'node1', target: { kind: 'interface', name: 'eth0' }, filter: 'udp port 4789',
    title: { en: 'See the overlay’s VXLAN wrapping (UDP 4789 between node1 and node2)', ko: '오버레이의 VXLAN 캡슐화 보기 (node1과 node2 사이 UDP 4789)' },
  },
  tiers: {
    host: 'node1', target: { kind: 'interface', name: 'any' }, filter: 'icmp or arp or tcp[tcpflags] & tcp-syn != 0',
    title: { en: 'Watch traffic between the tiers (connection attempts, pings)', ko: '계층 사이의 트래픽 보기 (연결 시도, ping)' },
  },
} as const satisfies Record<string, CapturePreset>;
export type CapturePresetName = keyof typeof CAPTURE_PRESETS;

export function isPresetName(v: string): v is CapturePresetName {
  return Object.prototype.hasOwnProperty.call(CAPTURE_PRESETS, v);
}
