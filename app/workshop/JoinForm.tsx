'use client';
// Join a workshop: code + display name (+ passcode). The runner sets the learner cookie, hands
// over a reserved lab machine and answers with the first lesson, where the student lands.
import './workshop.css';
import { useEffect, useState, type FormEvent } from 'react';
import { WORKSHOPS_PATH, type StudentWorkshopView } from '../../protocol/workshop.ts';
import type { Lang } from '../lib/i18n.ts';
import { api } from './client.ts';
import { ws } from './strings.ts';

export function JoinForm({ lang }: { lang: Lang }) {
  const s = ws(lang);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [passcode, setPasscode] = useState('');
  const [busy, setBusy] = useState(false);
  // Until React has hydrated, a click would submit the form natively (a GET with the fields in the URL).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const c = new URLSearchParams(location.search).get('code');
    if (c) setCode(c.toUpperCase());
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ workshop: StudentWorkshopView; firstLesson: string }>(`${WORKSHOPS_PATH}/join`, {
        body: { code, name, ...(passcode ? { passcode } : {}) },
      });
      location.assign(`/lessons/${r.firstLesson}?lang=${lang}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <form className="ws-form ws-card" onSubmit={(e) => void submit(e)} aria-describedby={error ? 'join-error' : undefined}>
      <h1>{s.joinTitle}</h1>
      <p className="ws-lede">{s.joinLede}</p>
      <label>
        <span>{s.code}</span>
        <input name="code" className="ws-code-input" required autoComplete="off" autoCapitalize="characters" spellCheck={false}
          maxLength={9} placeholder={s.codePlaceholder} value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} data-testid="join-code" />
      </label>
      <label>
        <span>{s.yourName}</span>
        <input name="name" required maxLength={40} autoComplete="nickname" value={name} onChange={(e) => setName(e.target.value)} data-testid="join-name" />
      </label>
      <label>
        <span>{s.passcode}</span>
        <input name="passcode" type="password" maxLength={64} autoComplete="off" value={passcode} onChange={(e) => setPasscode(e.target.value)} />
      </label>
      {error && <p id="join-error" className="ws-error" role="alert" data-testid="join-error">{error}</p>}
      <button type="submit" className="btn btn-primary" disabled={busy || !hydrated} data-testid="join-submit">{busy ? s.joining : s.join}</button>
    </form>
  );
}
