import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { Select } from '../components/Select';
import { formatDate, formatMoney } from '../lib/format';
import { useListParams } from '../lib/listParams';
import { Link } from '../lib/router';
import { ORDER_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Orders() {
  const trpc = useTRPC();
  const { page, status, filter, goTo } = useListParams(ORDER_STATUSES);
  const orders = useQuery({
    ...trpc.main.admin.orders.queryOptions({ page, limit: 20, status }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Orders" />
      <div className="filters">
        <Select id="order-status" label="Status" all="All" value={status} options={ORDER_STATUSES} onChange={(value) => filter({ status: value })} />
      </div>
      <PagedTable
        query={orders}
        columns={['Order', 'Offering', 'Buyer', 'Quantity', 'Total', 'Status', 'Placed']}
        empty="No orders found"
        noun="orders"
        onPage={goTo}
        row={(order) => (
          <tr key={order.id}>
            <td>
              <Link to={`/orders/${order.id}`} className="mono">
                {order.id}
              </Link>
            </td>
            <td>
              <Link to={`/offerings/${order.offering.id}`}>{order.offering.title}</Link>
            </td>
            <td>
              <Link to={`/users/${order.buyerId}`} className="mono">
                {order.buyerId}
              </Link>
            </td>
            <td className="num">{order.quantity}</td>
            <td className="num">{formatMoney(order.totalCents, order.currency)}</td>
            <td>
              <Badge value={order.status} />
            </td>
            <td>{formatDate(order.createdAt)}</td>
          </tr>
        )}
      />
    </>
  );
}
