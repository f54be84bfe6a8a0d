import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryView } from '../components/QueryView';
import { Select } from '../components/Select';
import { formatDate, formatMoney } from '../lib/format';
import { intParam, oneOf } from '../lib/params';
import { Link, useSearchState } from '../lib/router';
import { ORDER_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Orders() {
  const trpc = useTRPC();
  const [search, update] = useSearchState();
  const page = intParam(search, 'page');
  const status = oneOf(search, 'status', ORDER_STATUSES);
  const orders = useQuery({
    ...trpc.main.admin.orders.queryOptions({ page, limit: 20, status }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Orders" />
      <div className="filters">
        <Select id="order-status" label="Status" all="All" value={status} options={ORDER_STATUSES} onChange={(value) => update({ status: value, page: undefined })} />
      </div>
      <QueryView query={orders} isEmpty={(data) => data.data.length === 0} empty="No orders found">
        {(data) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Offering</th>
                    <th scope="col">Buyer</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Total</th>
                    <th scope="col">Status</th>
                    <th scope="col">Placed</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((order) => (
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
                  ))}
                </tbody>
              </table>
            </div>
            <Pager {...data.pagination} noun="orders" onPage={(next) => update({ page: next })} />
          </>
        )}
      </QueryView>
    </>
  );
}
