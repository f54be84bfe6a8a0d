import { useEffect, type ReactNode } from 'react';

/**
 * The page's one h1, also the document title so tabs and history read well.
 * Focusable from script (not by Tab): navigation moves the focus to it.
 */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · NextStack admin`;
  }, [title]);
  return (
    <header className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </header>
  );
}
