import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { DataTable } from './DataTable';
import { EmptyPage, Pager } from './Pager';
import { QueryView } from './QueryView';

// The server's Page<T>, as far as the table reads it.
type Paged<T> = { data: T[]; pagination: { page: number; totalPages: number; total: number } };

/** One page of a paged list query as a table, then the pager; loading, error and empty states (see EmptyPage) first. */
export function PagedTable<T>({
  query,
  columns,
  actions,
  empty,
  noun,
  onPage,
  row,
}: {
  query: UseQueryResult<Paged<T>, unknown>;
  columns: readonly string[];
  actions?: boolean;
  empty: string;
  noun: string;
  onPage: (page: number) => void;
  row: (item: T) => ReactNode;
}) {
  return (
    <QueryView query={query}>
      {(data) =>
        data.data.length === 0 ? (
          <EmptyPage page={data.pagination.page} empty={empty} onPage={onPage} />
        ) : (
          <>
            <DataTable columns={columns} actions={actions}>
              {data.data.map((item) => row(item))}
            </DataTable>
            <Pager {...data.pagination} noun={noun} onPage={onPage} />
          </>
        )
      }
    </QueryView>
  );
}
