import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from '../lib/router';
import { PageHeader } from './PageHeader';
import { QueryView } from './QueryView';

/** One record's page: its title, a link back to its list, and its cards once it has loaded. */
export function DetailPage<T>({
  title,
  back,
  query,
  children,
}: {
  title: string;
  back: { to: string; label: string };
  query: UseQueryResult<T, unknown>;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      <PageHeader title={title}>
        <Link to={back.to}>{`← ${back.label}`}</Link>
      </PageHeader>
      <QueryView query={query}>{(data) => <div className="cards">{children(data)}</div>}</QueryView>
    </>
  );
}
