import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { SearchForm } from '../components/SearchForm';
import { Select } from '../components/Select';
import { formatDate, formatMoney } from '../lib/format';
import { useListParams } from '../lib/listParams';
import { centsParam, MAX_CENTS } from '../lib/params';
import { Link } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

type Prices = { min: number | undefined; max: number | undefined };

/** A whole number of cents; the browser keeps it in range before the form submits. */
function CentsInput(props: { id: string; label: string; value: string; onChange: (value: string) => void }) {
  return (
    <span className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={0}
        max={MAX_CENTS}
        step={1}
        inputMode="numeric"
        aria-describedby="offering-price-hint"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </span>
  );
}

/**
 * The price range, in minor units (cents) as the API takes it: offerings come
 * in several currencies, so there is no one unit to convert from.
 */
function PriceForm({ value, onApply }: { value: Prices; onApply: (prices: Prices) => void }) {
  const [min, setMin] = useState(value.min === undefined ? '' : String(value.min));
  const [max, setMax] = useState(value.max === undefined ? '' : String(value.max));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The inputs only submit whole numbers in range (the browser checks).
    const cents = (text: string) => (text.trim() === '' ? undefined : Number(text));
    onApply({ min: cents(min), max: cents(max) });
  };
  return (
    <form role="search" aria-label="Price" className="filters" onSubmit={submit}>
      <CentsInput id="offering-min-price" label="Minimum price (cents)" value={min} onChange={setMin} />
      <CentsInput id="offering-max-price" label="Maximum price (cents)" value={max} onChange={setMax} />
      <button type="submit">Apply prices</button>
      <p id="offering-price-hint" className="muted small">
        In minor units of each offering's currency: 1250 is 12.50 USD or 1250 JPY.
      </p>
    </form>
  );
}

export function Offerings() {
  const trpc = useTRPC();
  const { search, page, status, filter, goTo } = useListParams(OFFERING_STATUSES);
  const sellerId = search.get('seller') || undefined;
  const prices: Prices = { min: centsParam(search, 'minCents'), max: centsParam(search, 'maxCents') };
  const offerings = useQuery({
    ...trpc.core.offering.list.queryOptions({ page, limit: 20, status, sellerId, minPriceCents: prices.min, maxPriceCents: prices.max }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Offerings" />
      <div className="filters">
        <Select id="offering-status" label="Status" all="All" value={status} options={OFFERING_STATUSES} onChange={(value) => filter({ status: value })} />
        <SearchForm id="offering-seller" label="Seller ID" value={sellerId ?? ''} onSearch={(value) => filter({ seller: value })} />
        {/* Keyed by the applied range so Back and links reset the draft. */}
        <PriceForm
          key={`${prices.min ?? ''}-${prices.max ?? ''}`}
          value={prices}
          onApply={(next) => filter({ minCents: next.min?.toString(), maxCents: next.max?.toString() })}
        />
      </div>
      <PagedTable
        query={offerings}
        columns={['Title', 'Seller', 'Price', 'Status', 'Created']}
        empty="No offerings found"
        noun="offerings"
        onPage={goTo}
        row={(offering) => (
          <tr key={offering.id}>
            <td>
              <Link to={`/offerings/${offering.id}`}>{offering.title}</Link>
            </td>
            <td>
              <Link to={`/users/${offering.seller.id}`}>{offering.seller.name || offering.seller.id}</Link>
            </td>
            <td className="num">{formatMoney(offering.priceCents, offering.currency)}</td>
            <td>
              <Badge value={offering.status} />
            </td>
            <td>{formatDate(offering.createdAt)}</td>
          </tr>
        )}
      />
    </>
  );
}
