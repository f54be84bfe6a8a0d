import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/PageHeader';
import { EmptyPage, Pager } from '../components/Pager';
import { QueryView } from '../components/QueryView';
import { SearchForm } from '../components/SearchForm';
import { authClient, unwrap } from '../lib/auth';
import { formatDate } from '../lib/format';
import { intParam } from '../lib/params';
import { Link, useSearchState } from '../lib/router';

const LIMIT = 20;

export function Users() {
  const [search, update] = useSearchState();
  const q = search.get('q') ?? '';
  const page = intParam(search, 'page');
  const users = useQuery({
    queryKey: ['admin', 'users', { q, page }],
    queryFn: () =>
      unwrap(
        authClient.admin.listUsers({
          query: {
            limit: LIMIT,
            offset: (page - 1) * LIMIT,
            sortBy: 'createdAt',
            sortDirection: 'desc',
            ...(q ? { searchValue: q, searchField: 'email' as const, searchOperator: 'contains' as const } : {}),
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Users" />
      <SearchForm id="user-search" label="Search by email" value={q} onSearch={(value) => update({ q: value, page: undefined })} />
      <QueryView query={users}>
        {(data) =>
          data.users.length === 0 ? (
            <EmptyPage page={page} empty="No users found" onPage={(next) => update({ page: next })} />
          ) : (
            <>
              <DataTable columns={['Email', 'Name', 'Role', 'Status', 'Signed up']}>
                {data.users.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <Link to={`/users/${user.id}`}>{user.email}</Link>
                    </td>
                    <td>{user.name || '—'}</td>
                    <td>{user.role ?? 'user'}</td>
                    <td>{user.banned ? <Badge value="Banned" /> : <Badge value="Active" />}</td>
                    <td>{formatDate(user.createdAt)}</td>
                  </tr>
                ))}
              </DataTable>
              <Pager page={page} totalPages={Math.ceil(data.total / LIMIT)} total={data.total} noun="users" onPage={(next) => update({ page: next })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
