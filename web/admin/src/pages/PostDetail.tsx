import { useMutation, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { Card } from '../components/Card';
import { DeleteCard } from '../components/DeleteCard';
import { DetailPage } from '../components/DetailPage';
import { StatusCard } from '../components/StatusCard';
import { formatDate } from '../lib/format';
import { useInvalidate } from '../lib/invalidate';
import { Link, navigate } from '../lib/router';
import { POST_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function PostDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const post = useQuery(trpc.core.post.get.queryOptions({ id }));
  const update = useMutation(trpc.core.post.update.mutationOptions({ onSuccess: () => invalidate(trpc.core.post.pathKey()) }));
  const remove = useMutation(
    trpc.core.post.delete.mutationOptions({
      onSuccess: () => {
        navigate('/posts');
        return invalidate(trpc.core.post.list.pathKey());
      },
    }),
  );
  return (
    <DetailPage title={post.data?.title ?? 'Post'} back={{ to: '/posts', label: 'All posts' }} query={post}>
      {(data) => (
        <>
          <Card titleId="post-details" title="Details" wide>
            <dl className="fields">
              <dt>ID</dt>
              <dd className="mono">{data.id}</dd>
              <dt>Author</dt>
              <dd>
                <Link to={`/users/${data.author.id}`}>{data.author.name || data.author.id}</Link>
              </dd>
              <dt>Status</dt>
              <dd>
                <Badge value={data.status} />
              </dd>
              <dt>Published</dt>
              <dd>{formatDate(data.publishedAt)}</dd>
              <dt>Created</dt>
              <dd>{formatDate(data.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(data.updatedAt)}</dd>
            </dl>
            <h3>Content</h3>
            <div className="content">{data.content || <span className="muted">No content</span>}</div>
          </Card>
          <StatusCard
            id="post-status"
            current={data.status}
            options={POST_STATUSES}
            pending={update.isPending}
            error={update.error}
            onSave={(status) => update.mutate({ id, status })}
          />
          <DeleteCard
            id="post-delete"
            noun="post"
            message={`Delete “${data.title}”? This cannot be undone.`}
            pending={remove.isPending}
            error={remove.error}
            onDelete={() => remove.mutate({ id })}
          />
        </>
      )}
    </DetailPage>
  );
}
