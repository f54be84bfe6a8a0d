import type { ReactNode } from 'react';

/** A titled section of a page; its heading names it for screen readers. */
export function Card({ titleId, title, wide = false, children }: { titleId: string; title: ReactNode; wide?: boolean; children: ReactNode }) {
  return (
    <section className={wide ? 'card wide' : 'card'} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </section>
  );
}
