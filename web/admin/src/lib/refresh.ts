import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { navigate } from './router';
import { useTRPC } from './trpc';

/**
 * Marks every query under the given keys stale, refetching the ones on
 * screen. Return its promise from a mutation's onSuccess: the mutation stays
 * pending (its button disabled) until the lists show the change.
 */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (...queryKeys: QueryKey[]) => Promise.all(queryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

/**
 * The onSuccess of a record's changes on its own page, given its tRPC
 * namespace (trpc.core.post) and list page: a change refreshes the record and
 * every list it is in; a deletion leaves the page, which has nothing left to
 * show, for the list, and refreshes the lists. Both refresh the overview,
 * which counts records by status, and a deletion the user pages, which count
 * what their user owns.
 */
export function useRecordRefresh(list: string, namespace: { pathKey: () => QueryKey; list: { pathKey: () => QueryKey } }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const overview = trpc.main.admin.overview.pathKey();
  return {
    changed: () => invalidate(namespace.pathKey(), overview),
    deleted: () => {
      navigate(list);
      return invalidate(namespace.list.pathKey(), overview, trpc.core.user.get.pathKey());
    },
  };
}
