import { useMutation, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { Card } from '../components/Card';
import { DetailPage } from '../components/DetailPage';
import { RecordActions } from '../components/RecordActions';
import { formatDate } from '../lib/format';
import { useRecordRefresh } from '../lib/refresh';
import { Link } from '../lib/router';
import { POST_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function PostDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const refresh = useRecordRefresh('/posts', trpc.core.post);
  const post = useQuery(trpc.core.post.get.queryOptions({ id }));
  const update = useMutation(trpc.core.post.update.mutationOptions({ onSuccess: refresh.changed }));
  const remove = useMutation(trpc.core.post.delete.mutationOptions({ onSuccess: refresh.deleted }));
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
          <RecordActions noun="post" id={id} name={data.title} status={data.status} statuses={POST_STATUSES} update={update} remove={remove} />
        </>
      )}
    </DetailPage>
  );
}
