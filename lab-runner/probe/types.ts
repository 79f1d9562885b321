// The host probe's verdicts: what this machine can do for the course, each with the reason.
import type { KernelFeature } from './kernel.ts';

export interface Verdict {
  ok: boolean;
  /** One sentence for an operator (doctor) or a lesson page: what was tried and what it means. */
  why: string;
}

export interface EngineVerdict extends Verdict {
  /** Engine version, e.g. "20.10.24+dfsg1" ('' when unreachable). */
  version: string;
  /** Engine API version, e.g. "1.41" ('' when unreachable). */
  api: string;
}

export interface RuntimesVerdict extends Verdict {
  /** OCI runtimes the engine knows (docker info .Runtimes). */
  available: string[];
  default: string;
  /** The runtime sandboxes should use when one is configured (DNL_RUNTIME) and present. */
  configured?: string;
}

/** How sandbox hosts are started on this machine, in order of preference. */
export type SandboxMode = 'runtime' | 'privileged' | 'fallback' | 'none';

export interface HostProbe {
  engine: EngineVerdict;
  privileged: Verdict;
  fallback: Verdict;
  runtimes: RuntimesVerdict;
  kernel: Record<KernelFeature, Verdict>;
  chromium: Verdict;
  /** The mode sandboxSecurity() picks from the verdicts above. */
  mode: SandboxMode;
  /** How the kernel features were tested ("throw-away network namespace (unshare -n)" or a container). */
  via: string;
  /** ms the probe took. */
  tookMs: number;
  probedAt: number;
}
