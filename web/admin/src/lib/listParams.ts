import { intParam, oneOf } from './params';
import { useSearchState } from './router';

/**
 * A paged list's state in the URL: the page, the status filter, and the other
 * parameters. Changing a filter goes back to page 1, because the page shown
 * may not exist among fewer rows.
 */
export function useListParams<S extends string>(statuses: readonly S[]) {
  const [search, update] = useSearchState();
  return {
    search,
    page: intParam(search, 'page'),
    status: oneOf(search, 'status', statuses),
    filter: (patch: Record<string, string | undefined>) => update({ ...patch, page: undefined }),
    goTo: (page: number) => update({ page }),
  };
}
