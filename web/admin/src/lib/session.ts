import { useQuery, type QueryClient } from '@tanstack/react-query';
import { authClient, unwrap } from './auth';

export const sessionKey = ['session'] as const;

/** BetterAuth's get-session: the user (with role and ban) and the session (with impersonatedBy), or null. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: () => unwrap(authClient.getSession()),
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * Forget the session first so the console unmounts before its queries are
 * dropped; nothing of the admin's data outlives the sign-out.
 */
export function forgetEverything(queryClient: QueryClient) {
  queryClient.setQueryData(sessionKey, null);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
}

export async function signOut(queryClient: QueryClient) {
  await unwrap(authClient.signOut());
  forgetEverything(queryClient);
}
