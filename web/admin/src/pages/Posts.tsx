import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryView } from '../components/QueryView';
import { SearchForm } from '../components/SearchForm';
import { Select } from '../components/Select';
import { formatDate } from '../lib/format';
import { intParam, oneOf } from '../lib/params';
import { Link, useSearchState } from '../lib/router';
import { POST_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Posts() {
  const trpc = useTRPC();
  const [search, update] = useSearchState();
  const page = intParam(search, 'page');
  const status = oneOf(search, 'status', POST_STATUSES);
  const authorId = search.get('author') || undefined;
  const posts = useQuery({
    ...trpc.core.post.list.queryOptions({ page, limit: 20, status, authorId }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Posts" />
      <div className="filters">
        <Select id="post-status" label="Status" all="All" value={status} options={POST_STATUSES} onChange={(value) => update({ status: value, page: undefined })} />
        <SearchForm id="post-author" label="Author ID" value={authorId ?? ''} onSearch={(value) => update({ author: value, page: undefined })} />
      </div>
      <QueryView query={posts} isEmpty={(data) => data.data.length === 0} empty="No posts found">
        {(data) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Author</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((post) => (
                    <tr key={post.id}>
                      <td>
                        <Link to={`/posts/${post.id}`}>{post.title}</Link>
                      </td>
                      <td>
                        <Link to={`/users/${post.author.id}`}>{post.author.name || post.author.id}</Link>
                      </td>
                      <td>
                        <Badge value={post.status} />
                      </td>
                      <td>{formatDate(post.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager {...data.pagination} noun="posts" onPage={(next) => update({ page: next })} />
          </>
        )}
      </QueryView>
    </>
  );
}
