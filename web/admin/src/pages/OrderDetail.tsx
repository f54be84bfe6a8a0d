import { useMutation, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { Card } from '../components/Card';
import { useConfirm } from '../components/Confirm';
import { DetailPage } from '../components/DetailPage';
import { ErrorMessage } from '../components/QueryView';
import { formatDate, formatMoney } from '../lib/format';
import { useInvalidate } from '../lib/refresh';
import { Link } from '../lib/router';
import { ORDER_MOVES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

const LABELS = { CONFIRMED: 'Confirm order', COMPLETED: 'Complete order', CANCELLED: 'Cancel order' } as const;

export function OrderDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const confirm = useConfirm();
  const order = useQuery(trpc.core.order.get.queryOptions({ id }));
  const transition = useMutation(
    // The overview counts orders by status.
    trpc.main.order.transition.mutationOptions({
      onSuccess: () => invalidate(trpc.core.order.pathKey(), trpc.main.admin.orders.pathKey(), trpc.main.admin.overview.pathKey()),
    }),
  );
  const move = async (to: keyof typeof LABELS) => {
    // Cancelling cannot be undone; completing credits the buyer's points.
    if (to !== 'CONFIRMED' && !(await confirm({ title: `${LABELS[to]}?`, message: `Move order ${id} to ${to}? This cannot be undone.` }))) return;
    transition.mutate({ id, to });
  };
  return (
    <DetailPage title="Order" back={{ to: '/orders', label: 'All orders' }} query={order}>
      {(data) => (
        <>
          <Card titleId="order-details" title="Details" wide>
            <dl className="fields">
              <dt>ID</dt>
              <dd className="mono">{data.id}</dd>
              <dt>Offering</dt>
              <dd>
                <Link to={`/offerings/${data.offering.id}`}>{data.offering.title}</Link>
              </dd>
              <dt>Buyer</dt>
              <dd>
                <Link to={`/users/${data.buyerId}`} className="mono">
                  {data.buyerId}
                </Link>
              </dd>
              <dt>Seller</dt>
              <dd>
                <Link to={`/users/${data.offering.sellerId}`} className="mono">
                  {data.offering.sellerId}
                </Link>
              </dd>
              <dt>Quantity</dt>
              <dd>{data.quantity}</dd>
              <dt>Unit price</dt>
              <dd>{formatMoney(data.unitPriceCents, data.currency)}</dd>
              <dt>Total</dt>
              <dd>{formatMoney(data.totalCents, data.currency)}</dd>
              <dt>Status</dt>
              <dd>
                <Badge value={data.status} />
              </dd>
              <dt>Note</dt>
              <dd>{data.note || '—'}</dd>
              <dt>Placed</dt>
              <dd>{formatDate(data.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(data.updatedAt)}</dd>
            </dl>
          </Card>
          <Card titleId="order-move-title" title="Change status">
            {ORDER_MOVES[data.status].length === 0 ? (
              <p className="muted">A {data.status.toLowerCase()} order cannot change any more.</p>
            ) : (
              <div className="actions">
                {ORDER_MOVES[data.status].map((to) => (
                  <button key={to} type="button" className={to === 'CANCELLED' ? 'danger' : undefined} onClick={() => move(to)} disabled={transition.isPending}>
                    {LABELS[to]}
                  </button>
                ))}
              </div>
            )}
            <ErrorMessage error={transition.error} />
          </Card>
        </>
      )}
    </DetailPage>
  );
}
