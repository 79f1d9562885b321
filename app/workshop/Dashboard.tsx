'use client';
// The instructor's live dashboard: students × exercises (status, time to pass, hints/solution),
// class completion per exercise, who is stuck; a note to everyone, extend, end, CSV; click a
// student to watch their terminal read-only and reset their lab. Updates are pushed over
// /runner/ws/workshop (a snapshot, then upserts); the page never polls.
import './workshop.css';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  WORKSHOPS_PATH, WORKSHOP_WS_PATH, formatCode, isStuck,
  type DashboardMessage, type DashboardSnapshot, type StudentRow,
} from '../../protocol/workshop.ts';
import { Terminal } from '../components/terminal/index.ts';
import type { Lang } from '../lib/i18n.ts';
import { api, wsUrl } from './client.ts';
import { duration, ws as strings } from './strings.ts';

type Conn = 'connecting' | 'live' | 'reconnecting';

export function Dashboard({ lang }: { lang: Lang }) {
  const s = strings(lang);
  const [snap, setSnap] = useState<DashboardSnapshot | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [conn, setConn] = useState<Conn>('connecting');
  const [now, setNow] = useState(() => Date.now());
  const [watch, setWatch] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [confirmReset, setConfirmReset] = useState<number | null>(null);
  const [host, setHost] = useState('node1');
  const [note, setNote] = useState('');
  const idRef = useRef<string | null>(null);

  // The key (in the #fragment) is traded once for an instructor binding of this browser.
  useEffect(() => {
    const key = decodeURIComponent(location.hash.slice(1));
    if (!key) { setFatal(s.noKey); return; }
    let stop = false;
    let sock: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const connect = (id: string) => {
      if (stop) return;
      sock = new WebSocket(wsUrl(`${WORKSHOP_WS_PATH}?role=instructor&workshop=${encodeURIComponent(id)}`));
      sock.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as DashboardMessage;
        attempt = 0;
        setConn('live');
        setSnap((prev) => apply(prev, m));
        if (m.type === 'error') setMessage(m.message);
      };
      sock.onclose = () => {
        if (stop) return;
        setConn('reconnecting');
        retry = setTimeout(() => connect(id), Math.min(10_000, 500 * 2 ** attempt++));
      };
    };
    api<{ id: string; snapshot: DashboardSnapshot }>(`${WORKSHOPS_PATH}/teach`, { body: { key } }).then((r) => {
      idRef.current = r.id;
      setSnap(r.snapshot);
      setNote(r.snapshot.workshop.note);
      connect(r.id);
    }, (err: Error) => setFatal(err.message));
    return () => { stop = true; clearTimeout(retry); sock?.close(); };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, []);

  const act = useCallback(async (path: string, body: unknown, done?: string) => {
    if (!idRef.current) return;
    setMessage(null);
    try {
      const r = await api<{ workshop?: DashboardSnapshot['workshop'] }>(`${WORKSHOPS_PATH}/${idRef.current}/${path}`, { body });
      if (r.workshop) setSnap((p) => (p ? { ...p, workshop: r.workshop! } : p));
      if (done) setMessage(done);
    } catch (err) {
      setMessage(s.failed + (err as Error).message);
    }
  }, [s]);

  const columns = useMemo(() => snap?.workshop.lessons.flatMap((l) => l.exercises.map((x) => ({ lesson: l, x, key: `${l.slug}/${x.id}` }))) ?? [], [snap?.workshop.lessons]);

  if (fatal) return <p className="ws-error ws-card" role="alert" data-testid="dash-error">{fatal}</p>;
  if (!snap) return <p className="ws-card">{s.connecting}</p>;
  const w = snap.workshop;
  const students = snap.students;
  const watched = students.find((x) => x.sid === watch);
  const shownHost = watched?.sandbox?.hosts.includes(host) ? host : 'node1';
  const minutesLeft = Math.max(0, Math.round((w.endsAt - now) / 60_000));
  const timeText = w.state === 'scheduled' ? s.startsIn(Math.max(0, Math.round((w.startsAt - now) / 60_000))) : w.state === 'live' ? s.endsIn(minutesLeft) : '';
  const r = snap.reservations;

  const sendNote = (e: FormEvent) => { e.preventDefault(); void act('note', { text: note }); };

  return (
    <div className="ws-dash" data-testid="dashboard" data-state={w.state}>
      <header className="ws-dash-head">
        <div>
          <h1>{w.title}</h1>
          <p className="ws-meta">
            <span className={`ws-state ws-state-${w.state}`} data-testid="dash-state">{s.state[w.state]}</span>
            {timeText && <span>{timeText}</span>}
            <span data-testid="dash-count">{s.studentsCount(students.length, w.capacity)}</span>
            <span className={`ws-conn ws-conn-${conn}`} role="status">{conn === 'live' ? s.liveUpdates : conn === 'connecting' ? s.connecting : s.reconnecting}</span>
          </p>
          {w.state !== 'ended' && r.wanted + r.ready + r.starting > 0 && (
            <p className="ws-meta" data-testid="dash-reserved">{s.reserved(r.ready, r.starting, r.wanted)}{r.problem ? ` — ${r.problem}` : ''}</p>
          )}
        </div>
        <div className="ws-code-box">
          <span>{s.joinCode}</span>
          <strong className="ws-code-big" data-testid="dash-code">{formatCode(w.code)}</strong>
        </div>
      </header>

      <div className="ws-toolbar">
        {w.state !== 'ended' && (
          <form className="ws-note-form" onSubmit={sendNote}>
            <label htmlFor="ws-note" className="visually-hidden">{s.note}</label>
            <input id="ws-note" value={note} maxLength={500} placeholder={s.notePlaceholder} onChange={(e) => setNote(e.target.value)} data-testid="note-input" />
            <button type="submit" className="btn" data-testid="note-send">{s.send}</button>
            {w.note && <button type="button" className="btn btn-quiet" onClick={() => { setNote(''); void act('note', { text: '' }); }}>{s.clearNote}</button>}
          </form>
        )}
        <span className="ws-toolbar-actions">
          {w.state !== 'ended' && [15, 30].map((m) => (
            <button key={m} type="button" className="btn btn-quiet" onClick={() => void act('extend', { minutes: m })} data-testid={`extend-${m}`}>{s.extend(m)}</button>
          ))}
          <a className="btn btn-quiet" href={`${WORKSHOPS_PATH}/${w.id}/results.csv`} download data-testid="export-csv">{s.exportCsv}</a>
          {w.state !== 'ended' && (confirmEnd ? (
            <span className="confirm-inline" role="group" aria-label={s.end}>
              <span>{s.endConfirm}</span>
              <button type="button" className="btn ws-danger" autoFocus onClick={() => { setConfirmEnd(false); void act('end', {}); }} data-testid="end-confirm">{s.end}</button>
              <button type="button" className="btn btn-quiet" onClick={() => setConfirmEnd(false)}>{s.cancel}</button>
            </span>
          ) : (
            <button type="button" className="btn ws-danger" onClick={() => setConfirmEnd(true)} data-testid="end">{s.end}</button>
          ))}
        </span>
      </div>
      {message && <p className="ws-message" role="status">{message}</p>}

      {watched && (
        <section className="ws-shadow" aria-label={s.watching(watched.name)} data-testid="shadow">
          <header>
            <h2>{s.watching(watched.name)}</h2>
            <span>
              {watched.sandbox && w.state !== 'ended' && (confirmReset === watched.sid ? (
                <span className="confirm-inline" role="group" aria-label={s.resetLab}>
                  <span>{s.resetConfirm(watched.name)}</span>
                  <button type="button" className="btn ws-danger" autoFocus data-testid="reset-confirm"
                    onClick={() => { setConfirmReset(null); void act(`students/${watched.sid}/reset`, {}, s.resetDone); }}>{s.resetLab}</button>
                  <button type="button" className="btn btn-quiet" onClick={() => setConfirmReset(null)}>{s.cancel}</button>
                </span>
              ) : (
                <button type="button" className="btn btn-quiet" data-testid="reset-student" onClick={() => setConfirmReset(watched.sid)}>{s.resetLab}</button>
              ))}
              <button type="button" className="btn btn-quiet" onClick={() => setWatch(null)}>{s.close}</button>
            </span>
          </header>
          {watched.sandbox && watched.sandbox.hosts.length > 1 && (
            <div className="host-tabs" role="tablist" aria-label={s.lab}>
              {watched.sandbox.hosts.map((h) => (
                <button key={h} type="button" role="tab" aria-selected={h === shownHost} onClick={() => setHost(h)}>{h}</button>
              ))}
            </div>
          )}
          {watched.sandbox?.status === 'ready'
            ? <Terminal key={`${watched.sandbox.id}/${shownHost}`} sandboxId={watched.sandbox.id} host={shownHost} readOnly renderer="dom" height="20rem" />
            : <p className="ws-meta">{watched.sandbox ? watched.sandbox.status : s.noLab}</p>}
        </section>
      )}

      <div className="ws-grid-wrap">
        {students.length === 0 ? <p className="ws-meta" data-testid="no-students">{s.noStudents}</p> : (
          <table className="ws-grid" data-testid="grid">
            <thead>
              <tr>
                <th rowSpan={2} scope="col">{s.student}</th>
                {w.lessons.map((l) => <th key={l.slug} colSpan={l.exercises.length} scope="colgroup" className="ws-lesson-head">{l.title}</th>)}
              </tr>
              <tr>{columns.map((c) => <th key={c.key} scope="col" className="ws-ex-head" title={c.x.title}><span>{c.x.title}</span></th>)}</tr>
            </thead>
            <tbody>
              {students.map((st) => (
                <StudentLine key={st.sid} st={st} columns={columns} now={now} stuck={isStuck(w, st, now)} stuckMinutes={w.stuckMinutes}
                  watching={watch === st.sid} onWatch={() => setWatch(watch === st.sid ? null : st.sid)} s={s} startsAt={w.startsAt} />
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{s.completion}</th>
                {columns.map((c) => {
                  const n = students.filter((st) => st.cells[c.key]?.passedAt != null).length;
                  const pct = Math.round((100 * n) / students.length);
                  return <td key={c.key} data-testid={`completion-${c.key}`}><span className="ws-bar" style={{ ['--pct' as string]: `${pct}%` }}>{n}/{students.length}</span></td>;
                })}
              </tr>
            </tfoot>
          </table>
        )}
      </div>
    </div>
  );
}

function StudentLine({ st, columns, now, stuck, stuckMinutes, watching, onWatch, s, startsAt }: {
  st: StudentRow; columns: Array<{ key: string }>; now: number; stuck: boolean; stuckMinutes: number; watching: boolean;
  onWatch(): void; s: ReturnType<typeof strings>; startsAt: number;
}) {
  void now;
  return (
    <tr data-testid={`student-${st.sid}`} data-name={st.name} className={watching ? 'ws-watching' : undefined}>
      <th scope="row">
        <button type="button" className="ws-student" onClick={onWatch} aria-pressed={watching} data-testid="watch">
          <span className={`status-dot ws-sb-${st.sandbox?.status ?? 'none'}`} aria-hidden="true" />
          {st.name}
        </button>
        {stuck && <span className="ws-stuck" title={s.stuckTitle(stuckMinutes)} data-testid="stuck">{s.stuck}</span>}
      </th>
      {columns.map((c) => {
        const cell = st.cells[c.key];
        const passed = cell?.passedAt != null;
        const took = passed ? duration(cell.passedAt! - Math.max(st.joinedAt, startsAt)) : '';
        const label = [passed ? s.passedIn(took) : s.notYet, cell?.usedHint ? s.hintsUsed(cell.usedHint) : '', cell?.usedSolution ? s.solutionUsed : ''].filter(Boolean).join(', ');
        return (
          <td key={c.key} className={passed ? 'ws-pass' : 'ws-open'} data-testid={`cell-${st.sid}-${c.key}`} data-passed={passed ? 'yes' : 'no'} title={label}>
            <span className="visually-hidden">{label}</span>
            <span aria-hidden="true">{passed ? `✓ ${took}` : '·'}{cell?.usedHint ? <sup className="ws-mark">H{cell.usedHint}</sup> : null}{cell?.usedSolution ? <sup className="ws-mark ws-mark-s">S</sup> : null}</span>
          </td>
        );
      })}
    </tr>
  );
}

function apply(prev: DashboardSnapshot | null, m: DashboardMessage): DashboardSnapshot | null {
  switch (m.type) {
    case 'snapshot': return m.snapshot;
    case 'student': {
      if (!prev) return prev;
      const i = prev.students.findIndex((x) => x.sid === m.student.sid);
      const students = i >= 0 ? prev.students.map((x, j) => (j === i ? m.student : x)) : [...prev.students, m.student];
      return { ...prev, students };
    }
    case 'workshop': return prev ? { ...prev, workshop: m.workshop } : prev;
    case 'reservations': return prev ? { ...prev, reservations: m.reservations } : prev;
    default: return prev;
  }
}
