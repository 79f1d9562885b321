// The lab views (issue 10), built in one call from runner.ts: the sandbox states (published
// ports, address names), the /lab/* proxy to published ports and the /runner/ws/labview socket.
import type { Config } from '../config.ts';
import type { Provider } from '../provider/types.ts';
import { LabProxy } from './proxy.ts';
import { LabStates, type LabDirectory } from './state.ts';
import { createLabViewWs, type LabViewWs } from './ws.ts';

export interface LabViewPart { states: LabStates; proxy: LabProxy; ws: LabViewWs; close(): Promise<void> }

export interface LabViewDeps {
  config: Config;
  secret: string;
  provider: Provider;
  sandboxes: LabDirectory & { touch?(id: string): unknown };
  /**
   * HOOK for workshops: may this (non-owner) learner open the sandbox's ports and packet view?
   * The workshop part should answer true for the workshop's instructor. Default: owner only.
   */
  canView?(learnerId: string, sandboxId: string): boolean | Promise<boolean>;
  log?: (m: string) => void;
}

export function createLabView(deps: LabViewDeps): LabViewPart {
  const log = deps.log ?? ((m: string) => console.log(`[labview] ${m}`));
  const states = new LabStates(deps.provider, deps.sandboxes, log);
  const proxy = new LabProxy({ secret: deps.secret, sandboxes: deps.sandboxes, states, canView: deps.canView, log });
  const ws = createLabViewWs({ secret: deps.secret, provider: deps.provider, dockerSocket: deps.config.dockerSocket, sandboxes: deps.sandboxes, states, canView: deps.canView, log });
  return {
    states, proxy, ws,
    async close() { await ws.close(); proxy.close(); states.close(); },
  };
}
