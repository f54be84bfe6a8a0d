import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { useConfirm } from '../components/Confirm';
import { PageHeader } from '../components/PageHeader';
import { ErrorMessage, QueryView } from '../components/QueryView';
import { StatusForm } from '../components/StatusForm';
import { formatDate } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { POST_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function PostDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const post = useQuery(trpc.core.post.get.queryOptions({ id }));
  const update = useMutation(
    trpc.core.post.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.core.post.pathKey() }) }),
  );
  const remove = useMutation(
    trpc.core.post.delete.mutationOptions({
      onSuccess: () => {
        navigate('/posts');
        return queryClient.invalidateQueries({ queryKey: trpc.core.post.list.pathKey() });
      },
    }),
  );
  const askDelete = async (title: string) => {
    if (await confirm({ title: 'Delete post?', message: `Delete “${title}”? This cannot be undone.` })) remove.mutate({ id });
  };
  return (
    <>
      <PageHeader title={post.data?.title ?? 'Post'}>
        <Link to="/posts">← All posts</Link>
      </PageHeader>
      <QueryView query={post}>
        {(data) => (
          <div className="cards">
            <section className="card wide" aria-labelledby="post-details">
              <h2 id="post-details">Details</h2>
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
            </section>
            <section className="card" aria-labelledby="post-status-title">
              <h2 id="post-status-title">Change status</h2>
              <StatusForm
                id="post-status"
                current={data.status}
                options={POST_STATUSES}
                pending={update.isPending}
                error={update.error}
                onSave={(status) => update.mutate({ id, status })}
              />
            </section>
            <section className="card" aria-labelledby="post-delete-title">
              <h2 id="post-delete-title">Delete</h2>
              <button type="button" className="danger" onClick={() => askDelete(data.title)} disabled={remove.isPending}>
                Delete post
              </button>
              <ErrorMessage error={remove.error} />
            </section>
          </div>
        )}
      </QueryView>
    </>
  );
}
