// Wire type of the live topology diagram: what the learner's lab looks like right now, read
// from the INNER engine of every host (networks, containers and their addresses). Sent by the
// runner on /runner/ws/lab as { type: 'topology', ... } on connect and after every change.
// Browser-safe: zod only.
import { z } from 'zod';

export const TopologyNetworkSchema = z.object({
  id: z.string().describe('Network id (short, 12 hex)'),
  name: z.string(),
  driver: z.string().describe('bridge, host, null, overlay, macvlan, ipvlan …'),
  scope: z.string().describe('local or swarm'),
  subnet: z.string().optional().describe('First IPv4 subnet of its IPAM config'),
  gateway: z.string().optional(),
  internal: z.boolean(),
  builtin: z.boolean().describe('One of the networks every engine has (bridge, host, none)'),
});
export type TopologyNetwork = z.infer<typeof TopologyNetworkSchema>;

export const TopologyEndpointSchema = z.object({
  network: z.string().describe('Network name'),
  ip: z.string().optional().describe('IPv4 address on that network (none on host/none networks or when stopped)'),
  prefix: z.number().optional(),
  mac: z.string().optional(),
  gateway: z.string().optional(),
  aliases: z.array(z.string()).default([]),
});
export type TopologyEndpoint = z.infer<typeof TopologyEndpointSchema>;

export const TopologyContainerSchema = z.object({
  id: z.string().describe('Container id (short, 12 hex)'),
  name: z.string(),
  image: z.string(),
  state: z.string().describe('running, exited, created …'),
  status: z.string().describe('Docker’s human status, e.g. "Up 3 minutes"'),
  ports: z.array(z.string()).default([]).describe('Published ports as "0.0.0.0:8080->80/tcp"'),
  endpoints: z.array(TopologyEndpointSchema),
});
export type TopologyContainer = z.infer<typeof TopologyContainerSchema>;

export const TopologyHostSchema = z.object({
  name: z.string().describe('node1, node2 …'),
  ip: z.string().optional().describe('The host’s address on the lab network'),
  error: z.string().optional().describe('Why this host’s engine could not be read (e.g. still starting)'),
  networks: z.array(TopologyNetworkSchema),
  containers: z.array(TopologyContainerSchema),
});
export type TopologyHost = z.infer<typeof TopologyHostSchema>;

export const TopologySchema = z.object({
  type: z.literal('topology'),
  sandbox: z.string(),
  at: z.number().describe('Epoch ms when the snapshot was read'),
  hosts: z.array(TopologyHostSchema),
});
export type Topology = z.infer<typeof TopologySchema>;
