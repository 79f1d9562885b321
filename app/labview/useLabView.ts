'use client';
// The page's side of /runner/ws/labview: one socket per lab, published ports pushed by the
// runner, capture targets on request, packet rows as they come. Components read it through
// useLabView(); lesson prose (<PacketView preset>) reaches the panel with a window event.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  LABVIEW_WS_PATH, LabViewServerMessageSchema,
  type CaptureTargets, type LabViewClientMessage, type PacketRow, type PublishedPort,
} from '../../protocol/labview.ts';

export const PACKET_VIEW_EVENT = 'dnl:packet-view';
export interface PacketViewRequest { preset: string }

/** Rows kept in the page; older ones scroll away (the capture itself is bounded by the runner). */
export const MAX_ROWS = 400;

export interface CaptureInfo { state: 'running' | 'stopped'; host: string; iface: string; filter: string; preset?: string; reason?: string; packets?: number; shown?: number }

export interface LabViewState {
  connected: boolean;
  ports: PublishedPort[];
  targets: Record<string, CaptureTargets>;
  capture?: CaptureInfo;
  rows: PacketRow[];
  skipped: number;
  error?: string;
}

const EMPTY: LabViewState = { connected: false, ports: [], targets: {}, rows: [], skipped: 0 };

export function useLabView(sandboxId: string | undefined): { state: LabViewState; send(m: LabViewClientMessage): void; clear(): void } {
  const [state, setState] = useState<LabViewState>(EMPTY);
  const wsRef = useRef<WebSocket | null>(null);
  const queued = useRef<LabViewClientMessage[]>([]);

  useEffect(() => {
    setState(EMPTY);
    if (!sandboxId) return;
    let stopped = false;
    let retry = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${proto}//${location.host}${LABVIEW_WS_PATH}?sandbox=${encodeURIComponent(sandboxId)}`);
      wsRef.current = ws;
      ws.onopen = () => {
        retry = 500;
        setState((s) => ({ ...s, connected: true, error: undefined }));
        for (const m of queued.current.splice(0)) ws.send(JSON.stringify(m));
      };
      ws.onmessage = (ev) => {
        let data: unknown;
        try { data = JSON.parse(String(ev.data)); } catch { return; }
        const p = LabViewServerMessageSchema.safeParse(data);
        if (!p.success) return;
        const m = p.data;
        setState((s) => {
          switch (m.type) {
            case 'ports': return { ...s, ports: m.ports };
            case 'targets': { const { type: _t, ...t } = m; return { ...s, targets: { ...s.targets, [m.host]: t } }; }
            case 'capture': {
              const { type: _t, ...c } = m;
              return m.state === 'running' ? { ...s, capture: c, error: undefined } : { ...s, capture: c };
            }
            case 'packets': {
              const rows = s.rows.concat(m.rows);
              return { ...s, rows: rows.length > MAX_ROWS ? rows.slice(rows.length - MAX_ROWS) : rows };
            }
            case 'skipped': return { ...s, skipped: s.skipped + m.count };
            case 'error': return { ...s, error: m.message };
          }
        });
      };
      ws.onclose = (ev) => {
        if (wsRef.current === ws) wsRef.current = null;
        setState((s) => ({ ...s, connected: false, capture: s.capture?.state === 'running' ? { ...s.capture, state: 'stopped' } : s.capture }));
        if (stopped || ev.code === 4404) return;
        timer = setTimeout(connect, retry);
        retry = Math.min(retry * 2, 10_000);
      };
    };
    connect();
    return () => { stopped = true; if (timer) clearTimeout(timer); wsRef.current?.close(); wsRef.current = null; };
  }, [sandboxId]);

  const send = useCallback((m: LabViewClientMessage) => {
    const ws = wsRef.current;
    if (m.type === 'start') setState((s) => ({ ...s, rows: [], skipped: 0, error: undefined }));
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    else queued.current.push(m);
  }, []);
  const clear = useCallback(() => setState((s) => ({ ...s, rows: [], skipped: 0 })), []);
  return { state, send, clear };
}
