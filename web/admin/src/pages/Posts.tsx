import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { SearchForm } from '../components/SearchForm';
import { Select } from '../components/Select';
import { formatDate } from '../lib/format';
import { useListParams } from '../lib/listParams';
import { Link } from '../lib/router';
import { POST_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Posts() {
  const trpc = useTRPC();
  const { search, page, status, filter, goTo } = useListParams(POST_STATUSES);
  const authorId = search.get('author') || undefined;
  const posts = useQuery({
    ...trpc.core.post.list.queryOptions({ page, limit: 20, status, authorId }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Posts" />
      <div className="filters">
        <Select id="post-status" label="Status" all="All" value={status} options={POST_STATUSES} onChange={(value) => filter({ status: value })} />
        <SearchForm id="post-author" label="Author ID" value={authorId ?? ''} onSearch={(value) => filter({ author: value })} />
      </div>
      <PagedTable
        query={posts}
        columns={['Title', 'Author', 'Status', 'Created']}
        empty="No posts found"
        noun="posts"
        onPage={goTo}
        row={(post) => (
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
        )}
      />
    </>
  );
}
