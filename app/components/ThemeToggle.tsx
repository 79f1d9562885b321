'use client';
// Dark/light switch. The choice lives in localStorage and is applied before first paint by the
// inline script in app/layout.tsx; without a choice the system preference decides.
import { useEffect, useState } from 'react';
import { t, type Lang } from '../lib/i18n.ts';

type Theme = 'dark' | 'light';

function current(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'dark' || set === 'light') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function ThemeToggle({ lang }: { lang: Lang }) {
  const s = t(lang);
  const [theme, setTheme] = useState<Theme | null>(null);
  useEffect(() => setTheme(current()), []);
  const flip = () => {
    const next: Theme = current() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem('dnl_theme', next); } catch { /* private mode */ }
    setTheme(next);
  };
  return (
    <button type="button" className="btn btn-quiet" onClick={flip} aria-label={s.themeToggle} aria-pressed={theme === 'dark'}>
      {theme === 'dark' ? `☾ ${s.themeDark}` : `☀ ${s.themeLight}`}
    </button>
  );
}
