// Renders the tiny inline markup allowed in lab.ts text (hints, titles): `code` spans only.
import { Fragment } from 'react';

export function InlineText({ text }: { text: string }) {
  const parts = text.split(/(`[^`]+`)/g);
  return (
    <>
      {parts.map((p, i) => (p.startsWith('`') && p.endsWith('`') && p.length > 2
        ? <code key={i}>{p.slice(1, -1)}</code>
        : <Fragment key={i}>{p}</Fragment>))}
    </>
  );
}
