'use client';
// Same-origin calls to the runner's workshop API. The identity is the runner's HttpOnly cookie,
// so nothing here stores or sends an id; errors carry the runner's own sentence.
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) { super(message); }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError('the lab runner cannot be reached; check that the server is running.', 0);
  }
  const body = (await res.json().catch(() => undefined)) as (T & { error?: string; code?: string }) | undefined;
  if (!res.ok) throw new ApiError(body?.error ?? `HTTP ${res.status}`, res.status, body?.code);
  return body as T;
}

/** ws(s)://same-host/path */
export function wsUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}
