export function Pager({
  page,
  totalPages,
  total,
  noun,
  onPage,
}: {
  page: number;
  totalPages: number;
  total: number;
  noun: string;
  onPage: (page: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {Math.max(totalPages, 1)} · {total} {noun}
      </span>
      <button type="button" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/**
 * A list page with no rows. Past the first page (the last row of the last
 * page deleted, a stale ?page= link) there is no pager to go back with, so
 * it offers the way to the first page.
 */
export function EmptyPage({ page, empty, onPage }: { page: number; empty: string; onPage: (page: number) => void }) {
  if (page <= 1) return <p className="empty">{empty}</p>;
  return (
    <div className="empty">
      <p>{`Nothing on page ${page}.`}</p>
      <button type="button" onClick={() => onPage(1)}>
        Go to the first page
      </button>
    </div>
  );
}
