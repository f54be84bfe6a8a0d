import { useQueryClient, type QueryKey } from '@tanstack/react-query';

/**
 * Marks every query under the given keys stale, refetching the ones on
 * screen. Return its promise from a mutation's onSuccess: the mutation stays
 * pending (its button disabled) until the lists show the change.
 */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (...queryKeys: QueryKey[]) => Promise.all(queryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}
