'use client';
// Create a workshop: title, lessons (in order), capacity, start and end, optional passcode.
// Shows the join code big enough to read out, and the secret instructor link once.
import './workshop.css';
import { useEffect, useState, type FormEvent } from 'react';
import { WORKSHOPS_PATH, formatCode, type CreatedWorkshop } from '../../protocol/workshop.ts';
import type { Lang } from '../lib/i18n.ts';
import { api } from './client.ts';
import { ws } from './strings.ts';

export interface LessonChoice { slug: string; number: number; title: string; hosts: number }

/** A Date as the value of <input type="datetime-local"> in the browser's time zone. */
function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function CreateForm({ lang, lessons }: { lang: Lang; lessons: LessonChoice[] }) {
  const s = ws(lang);
  const [title, setTitle] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [capacity, setCapacity] = useState(30);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [passcode, setPasscode] = useState('');
  const [stuck, setStuck] = useState(10);
  const [orgKey, setOrgKey] = useState('');
  const [busy, setBusy] = useState(false);
  // Until React has hydrated, a click would submit the form natively (a GET with the fields in the URL).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<CreatedWorkshop | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const now = new Date();
    now.setSeconds(0, 0);
    setStartsAt(local(now));
    setEndsAt(local(new Date(now.getTime() + 2 * 3600_000)));
  }, []);

  const toggle = (slug: string) => setPicked((p) => (p.includes(slug) ? p.filter((x) => x !== slug) : [...p, slug]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked.length) { setError(s.pickOneLesson); return; }
    setBusy(true);
    setError(null);
    try {
      const r = await api<CreatedWorkshop>(WORKSHOPS_PATH, {
        body: {
          title, lessons: picked, capacity, startsAt: new Date(startsAt).getTime(), endsAt: new Date(endsAt).getTime(),
          stuckMinutes: stuck, ...(passcode ? { passcode } : {}),
        },
        headers: orgKey ? { 'x-workshop-create-key': orgKey } : {},
      });
      setMade(r);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (made) {
    const link = `${location.origin}${made.instructorPath}`;
    const joinUrl = `${location.origin}${made.joinPath}`;
    return (
      <section className="ws-card ws-created" data-testid="created">
        <h1>{s.created}</h1>
        <p className="ws-code-big" aria-label={s.joinCode} data-testid="created-code">{formatCode(made.code)}</p>
        <p>{s.tellStudents(formatCode(made.code), joinUrl)}</p>
        <label className="ws-secret">
          <span>{s.instructorLink}</span>
          <span className="ws-copy-row">
            <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="created-link" />
            <button type="button" className="btn btn-quiet" onClick={() => { void navigator.clipboard?.writeText(link).then(() => setCopied(true)); }}>
              {copied ? s.copied : s.copy}
            </button>
          </span>
        </label>
        <p><a className="btn btn-primary" href={`/${lang}/workshop/teach#${made.instructorKey}`}>{s.openDashboard}</a></p>
      </section>
    );
  }

  return (
    <form className="ws-form ws-card" onSubmit={(e) => void submit(e)}>
      <h1>{s.createTitle}</h1>
      <p className="ws-lede">{s.createLede}</p>
      <label><span>{s.title}</span>
        <input required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="create-title" />
      </label>
      <fieldset>
        <legend>{s.lessons}</legend>
        <ul className="ws-lesson-picks">
          {lessons.map((l) => {
            const n = picked.indexOf(l.slug);
            return (
              <li key={l.slug}>
                <label>
                  <input type="checkbox" checked={n >= 0} onChange={() => toggle(l.slug)} data-slug={l.slug} />
                  <span className="ws-order" aria-hidden="true">{n >= 0 ? n + 1 : ''}</span>
                  {String(l.number).padStart(2, '0')} · {l.title}{l.hosts > 1 ? ` (${l.hosts} hosts)` : ''}
                </label>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <div className="ws-row">
        <label><span>{s.capacity}</span>
          <input type="number" min={1} max={500} required value={capacity} onChange={(e) => setCapacity(Number(e.target.value))} data-testid="create-capacity" />
        </label>
        <label><span>{s.startsAt}</span>
          <input type="datetime-local" required value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
        </label>
        <label><span>{s.endsAt}</span>
          <input type="datetime-local" required value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
        </label>
      </div>
      <div className="ws-row">
        <label><span>{s.optionalPasscode}</span>
          <input maxLength={64} minLength={4} value={passcode} onChange={(e) => setPasscode(e.target.value)} autoComplete="off" />
        </label>
        <label><span>{s.stuckMinutes}</span>
          <input type="number" min={1} max={120} value={stuck} onChange={(e) => setStuck(Number(e.target.value))} />
        </label>
      </div>
      <label><span>{s.organiserKey}</span>
        <input type="password" value={orgKey} onChange={(e) => setOrgKey(e.target.value)} autoComplete="off" />
      </label>
      {error && <p className="ws-error" role="alert">{error}</p>}
      <button type="submit" className="btn btn-primary" disabled={busy || !hydrated} data-testid="create-submit">{busy ? s.creating : s.create}</button>
    </form>
  );
}
