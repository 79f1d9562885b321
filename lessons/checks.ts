// The check vocabulary: what a lesson may ask the lab runner to verify in a learner's sandbox.
// Pure data (zod schemas + types): lesson files and the web app import this module, so it must
// never import dockerode or anything from lab-runner/. The evaluator lives in
// lab-runner/checks/ and turns each kind into Docker API calls or real traffic inside the lab.
//
// Authors write plain objects (`{ kind: 'networkExists', name: 'my_bridge_network' }`) or use
// the `check` helpers at the bottom, which only add type inference.
import { z } from 'zod';

const hostName = z.string().regex(/^node[1-9]\d?$/, 'a host is named node1, node2 …')
  .default('node1')
  .describe('The lab host (sandbox) whose Docker engine is inspected; node1 when omitted');

const dockerName = (what: string) => z.string().min(1).max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `${what} must be a Docker name (letters, digits, _ . -)`);

const ipv4 = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, 'must be an IPv4 address like 172.18.0.2');
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be a subnet like 192.168.1.0/24');

export const NetworkExistsCheck = z.object({
  kind: z.literal('networkExists'),
  host: hostName,
  name: dockerName('A network name').describe('Network name as the learner typed it, e.g. my_bridge_network'),
  driver: z.string().min(1).optional().describe('Required driver: bridge, host, null, overlay, macvlan, ipvlan'),
  subnet: cidr.optional().describe('An IPAM config entry must have exactly this subnet'),
  gateway: ipv4.optional().describe('The IPAM entry must have exactly this gateway'),
  ipRange: cidr.optional().describe('The IPAM entry must have exactly this --ip-range'),
  options: z.record(z.string(), z.string()).optional()
    .describe('Driver options that must be set to these values, e.g. { parent: "eth0" }'),
  attachable: z.boolean().optional().describe('Must (true) or must not (false) be --attachable'),
  internal: z.boolean().optional().describe('Must (true) or must not (false) be --internal'),
}).describe('A network with this name exists on the host and has the given properties');

export const ContainerRunningCheck = z.object({
  kind: z.literal('containerRunning'),
  host: hostName,
  name: dockerName('A container name').describe('Container name, e.g. container3'),
  network: dockerName('A network name').optional().describe('The container must be attached to this network'),
  ip: ipv4.optional().describe('…with exactly this IPv4 address on that network (needs network)'),
  alias: z.string().min(1).optional().describe('…and answer to this network alias on that network (needs network)'),
}).refine((c) => (c.ip === undefined && c.alias === undefined) || c.network !== undefined,
  { message: 'ip and alias need a network to look them up on', path: ['network'] })
  .describe('A container with this name is running (optionally on a network, with an IP or alias)');

export const ReachesCheck = z.object({
  kind: z.literal('reaches'),
  host: hostName,
  from: dockerName('The source container').describe('Container the traffic starts in (docker exec <from> …)'),
  to: z.string().min(1).max(253).optional().describe('Target: a container name, alias or IPv4 address as the learner would type it'),
  toIpOf: z.object({
    container: dockerName('A container name').describe('Container whose live address is the target'),
    network: dockerName('A network name').optional().describe('Its address on this network (else its first address)'),
  }).optional().describe('Target the live IP address of a container (traffic by IP, not by name)'),
  via: z.enum(['ping', 'tcp', 'http']).default('ping')
    .describe('ping: one ICMP echo; tcp: a TCP connect to port; http: an HTTP GET to port'),
  port: z.number().int().min(1).max(65535).optional().describe('Port for tcp/http (http defaults to 80)'),
  expect: z.boolean().default(true).describe('true: the traffic must get through; false: it must NOT (isolation)'),
  routed: z.boolean().optional()
    .describe('With expect false: the source must have a route to the target, so its packets really leave and go unanswered ("Network is unreachable" does not count)'),
}).refine((c) => c.via !== 'tcp' || c.port !== undefined, { message: 'via tcp needs a port', path: ['port'] })
  .refine((c) => (c.to === undefined) !== (c.toIpOf === undefined), { message: 'give exactly one of to and toIpOf', path: ['to'] })
  .refine((c) => !c.routed || !c.expect, { message: 'routed only means something with expect: false', path: ['routed'] })
  .describe('Real traffic from one container to a target inside the lab succeeds (or is blocked)');

export const ResolvesCheck = z.object({
  kind: z.literal('resolves'),
  host: hostName,
  from: dockerName('The source container').describe('Container whose resolver is asked'),
  name: z.string().min(1).max(253).describe('Name to look up, e.g. container4 or an alias'),
  expectIp: ipv4.optional().describe('The answer must contain this address'),
  expectIpOf: z.object({
    container: dockerName('A container name').describe('Container whose address is expected'),
    network: dockerName('A network name').optional().describe('On this network (else any of its networks)'),
  }).optional().describe('The answer must contain the live address of this container (answers cannot be copied)'),
  server: ipv4.default('127.0.0.11').describe("DNS server to ask; Docker's embedded DNS is 127.0.0.11"),
  expect: z.boolean().default(true).describe('true: the name must resolve; false: it must NOT resolve'),
}).describe('A name resolves (or does not) from inside a container through a DNS server');

export const PortPublishedCheck = z.object({
  kind: z.literal('portPublished'),
  host: hostName,
  container: dockerName('A container name').describe('Container that publishes the port'),
  hostPort: z.number().int().min(1).max(65535).optional().describe('Port on the sandbox host, e.g. 8080; any host port when omitted (-P picks one)'),
  containerPort: z.number().int().min(1).max(65535).optional().describe('Container port it must map to, e.g. 80'),
  hostIp: ipv4.optional().describe('Host address the port must be bound to, e.g. 127.0.0.1 (-p 127.0.0.1:8080:80)'),
  proto: z.enum(['tcp', 'udp']).default('tcp').describe('Protocol of the mapping'),
  answers: z.boolean().default(true).describe('Also fetch http://127.0.0.1:<hostPort>/ on the host and require an answer (tcp only)'),
}).refine((c) => c.hostPort !== undefined || c.containerPort !== undefined, { message: 'give hostPort, containerPort or both', path: ['hostPort'] })
  .describe('A container port is published on the host (and answers there)');

export const HostAnswersCheck = z.object({
  kind: z.literal('hostAnswers'),
  host: hostName,
  port: z.number().int().min(1).max(65535).describe('Port on the sandbox host itself'),
  via: z.enum(['tcp', 'http']).default('http').describe('http: an HTTP GET; tcp: a bare connect'),
}).describe('Something answers on 127.0.0.1:<port> of the sandbox host (e.g. nginx on --network host)');

export const SharesHostNetworkCheck = z.object({
  kind: z.literal('sharesHostNetwork'),
  host: hostName,
  container: dockerName('A container name').describe('Container that must use --network host'),
}).describe("A running container shares the host's network namespace");

export const OnlyLoopbackCheck = z.object({
  kind: z.literal('onlyLoopback'),
  host: hostName,
  container: dockerName('A container name').describe('Container that must have no interface but lo'),
}).describe('A running container has only the loopback interface (--network none)');

export const DistinctMacsCheck = z.object({
  kind: z.literal('distinctMacs'),
  host: hostName,
  network: dockerName('A network name').describe('Network whose attached containers are compared'),
  min: z.number().int().min(2).max(50).default(2).describe('At least this many running containers must be attached'),
}).describe('Every container on a network has its own MAC address (macvlan), and there are at least min of them');

export const OverlaySpansCheck = z.object({
  kind: z.literal('overlaySpans'),
  network: dockerName('A network name').describe('An overlay network name'),
  hosts: z.array(hostName).min(2).max(9).describe('Each of these hosts must run a container attached to the network'),
}).describe('One overlay network has running containers on every listed host');

export const SwarmJoinedCheck = z.object({
  kind: z.literal('swarmJoined'),
  host: hostName,
  role: z.enum(['manager', 'worker']).optional().describe('Required role; any when omitted'),
}).describe('The host is an active member of a swarm (optionally as manager/worker)');

export const AnswerCheck = z.object({
  kind: z.literal('answer'),
  host: hostName,
  expect: z.discriminatedUnion('of', [
    z.object({
      of: z.literal('containerIp'),
      container: dockerName('A container name').describe('Whose address the learner must find'),
      network: dockerName('A network name').optional().describe('On this network (else its first address)'),
    }).describe("A container's live IPv4 address, e.g. container3's on my_bridge_network"),
    z.object({ of: z.literal('containerMac'), container: dockerName('A container name'), network: dockerName('A network name').optional() })
      .describe("A container's live MAC address on a network"),
    z.object({ of: z.literal('networkSubnet'), network: dockerName('A network name') }).describe("A network's (first) subnet, e.g. 172.18.0.0/16"),
    z.object({ of: z.literal('networkGateway'), network: dockerName('A network name') }).describe("A network's (first) gateway"),
    z.object({ of: z.literal('text'), value: z.string().min(1).max(200).describe('The fixed right answer (compared case-insensitively, trimmed)') })
      .describe('A fixed answer (prefer live values: they cannot be copied)'),
  ]).describe('What the right answer is, read live from the learner’s lab when possible'),
}).describe('The learner typed an answer (in the page) that equals a value from their own lab');

/** A check tree. Combinators nest; the getters keep the recursive type inferable (zod 4). */
export const AllCheck = z.object({
  kind: z.literal('all'),
  get checks() { return z.array(CheckSchema).min(1).describe('Every one of these must pass (evaluated concurrently)'); },
}).describe('All of the checks pass; the first failure (in order) is the reason');

export const AnyCheck = z.object({
  kind: z.literal('any'),
  get checks() { return z.array(CheckSchema).min(1).describe('At least one of these must pass'); },
}).describe('At least one check passes');

export const NotCheck = z.object({
  kind: z.literal('not'),
  get check() { return CheckSchema.describe('The check that must NOT pass'); },
  reason: z.union([
    z.string().min(1),
    z.strictObject({ en: z.string().min(1).describe('English text'), ko: z.string().min(1).describe('Korean text') }),
  ]).optional().describe('What to tell the learner when the inner check passes (else derived): one string for both languages, or { en, ko }'),
}).describe('The inner check fails');

export const CheckSchema = z.discriminatedUnion('kind', [
  NetworkExistsCheck, ContainerRunningCheck, ReachesCheck, ResolvesCheck, PortPublishedCheck,
  HostAnswersCheck, SharesHostNetworkCheck, OnlyLoopbackCheck, DistinctMacsCheck, OverlaySpansCheck,
  SwarmJoinedCheck, AnswerCheck, AllCheck, AnyCheck, NotCheck,
]).describe('One verifiable fact about the learner’s lab');

/** A check after parsing (defaults filled in: host node1, via ping, expect true …). */
export type Check = z.output<typeof CheckSchema>;
/** A check as an author writes it (defaults optional). */
export type CheckInput = z.input<typeof CheckSchema>;
export type CheckKind = Check['kind'];
export type CheckOf<K extends CheckKind> = Extract<Check, { kind: K }>;

/** The outcome the evaluator reports for one check (or exercise). */
export const CheckResultSchema = z.object({
  passed: z.boolean().describe('Whether the check holds right now'),
  reason: z.string().describe('One sentence a learner understands: why it passed, or what is missing'),
  reasonKo: z.string().optional().describe('The same reason in Korean (the evaluator always sets it)'),
  ms: z.number().nonnegative().describe('Evaluation time in milliseconds'),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** Every host a check touches (for sandbox sizing and event routing). */
export function hostsOf(c: Check): string[] {
  switch (c.kind) {
    case 'all': case 'any': return [...new Set(c.checks.flatMap(hostsOf))];
    case 'not': return hostsOf(c.check);
    case 'overlaySpans': return [...c.hosts];
    default: return [c.host];
  }
}

/** The answer check inside a tree, if any (the page shows an answer box for it). */
export function answerOf(c: Check): CheckOf<'answer'> | undefined {
  switch (c.kind) {
    case 'answer': return c;
    case 'all': case 'any': for (const x of c.checks) { const a = answerOf(x); if (a) return a; } return undefined;
    case 'not': return answerOf(c.check);
    default: return undefined;
  }
}

/** Whether a check needs real traffic/exec (no Docker event announces its change). */
export function needsTraffic(c: Check): boolean {
  switch (c.kind) {
    case 'all': case 'any': return c.checks.some(needsTraffic);
    case 'not': return needsTraffic(c.check);
    case 'reaches': case 'resolves': case 'hostAnswers': return true;
    case 'portPublished': return c.answers;
    default: return false;
  }
}

type Args<K extends CheckKind> = Omit<Extract<CheckInput, { kind: K }>, 'kind'>;
const make = <K extends CheckKind>(kind: K) => (args: Args<K>): Extract<CheckInput, { kind: K }> =>
  ({ kind, ...args }) as Extract<CheckInput, { kind: K }>;

/** Typed constructors for lesson authors: `check.reaches({ from: 'container3', to: 'container4' })`. */
export const check = {
  networkExists: make('networkExists'),
  containerRunning: make('containerRunning'),
  reaches: make('reaches'),
  resolves: make('resolves'),
  portPublished: make('portPublished'),
  hostAnswers: make('hostAnswers'),
  sharesHostNetwork: make('sharesHostNetwork'),
  onlyLoopback: make('onlyLoopback'),
  distinctMacs: make('distinctMacs'),
  overlaySpans: make('overlaySpans'),
  swarmJoined: make('swarmJoined'),
  answer: make('answer'),
  all: (...checks: CheckInput[]): CheckInput => ({ kind: 'all', checks }),
  any: (...checks: CheckInput[]): CheckInput => ({ kind: 'any', checks }),
  not: (inner: CheckInput, reason?: string | { en: string; ko: string }): CheckInput => ({ kind: 'not', check: inner, ...(reason ? { reason } : {}) }),
};
