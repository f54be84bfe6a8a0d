import { useQuery, type QueryClient } from '@tanstack/react-query';
import { authClient, unwrap } from './auth';

export const sessionKey = ['session'] as const;

/** What get-session answers: the user and the session, or null when signed out. */
export type Session = typeof authClient.$Infer.Session | null;

/**
 * Whether the console may be shown for this session. The server never gives
 * an impersonation session admin rights, whatever the user's role.
 */
export function isAdminSession(session: Session): boolean {
  return session?.user.role === 'admin' && !session.session.impersonatedBy;
}

/** Drops every cached query but the session's. */
function dropAdminData(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
}

/** BetterAuth's get-session: the user (with role and ban) and the session (with impersonatedBy), or null. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async ({ client }) => {
      const next: Session = await unwrap(authClient.getSession());
      const before = client.getQueryData<Session>(sessionKey);
      // Admin data must not outlive the session it was fetched under: when the
      // session ended (expired, banned, revoked), belongs to someone else (a
      // sign-in elsewhere in this browser) or lost its admin rights, drop it
      // before the answer is rendered, so nothing of it is shown again. Any
      // query refetched from here on runs under the new cookie. (`undefined`:
      // the first check, with nothing cached yet.)
      if (before !== undefined && (before?.user.id !== next?.user.id || !isAdminSession(next))) dropAdminData(client);
      return next;
    },
    staleTime: 60_000,
    // Coming back to the tab re-checks a session that may have ended or
    // changed meanwhile (at most once a minute).
    refetchOnWindowFocus: true,
    retry: false,
  });
}

/**
 * Forget the session first so the console unmounts before its queries are
 * dropped; nothing of the admin's data outlives the sign-out.
 */
export function forgetEverything(queryClient: QueryClient) {
  queryClient.setQueryData(sessionKey, null);
  dropAdminData(queryClient);
}

export async function signOut(queryClient: QueryClient) {
  try {
    await unwrap(authClient.signOut());
  } finally {
    // Even when the sign-out fails: BetterAuth answers an error when the
    // cookie is already gone, and the admin's data must not stay on screen.
    forgetEverything(queryClient);
  }
}
