import { MutationCache, QueryCache, QueryClient, QueryClientProvider, type QueryKey } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConfirmProvider } from './components/Confirm';
import { ErrorBoundary } from './components/ErrorBoundary';
import { AuthError } from './lib/auth';
import { sessionKey } from './lib/session';
import { trpcClient, trpcStatus, TRPCProvider } from './lib/trpc';
import './styles.css';

// A 401 anywhere means the session ended (expired, revoked, banned), a 403
// that the user may no longer be an admin (demoted mid-session): ask
// get-session again, which sends the app back to the sign-in page or to
// "Admins only" (and drops the admin data, see useSession). Not for
// get-session's own errors, which would ask again forever.
function onError(error: unknown, key?: QueryKey) {
  const status = error instanceof AuthError ? error.status : trpcStatus(error);
  if ((status === 401 || status === 403) && key?.[0] !== sessionKey[0]) void queryClient.invalidateQueries({ queryKey: sessionKey });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => onError(error, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (error) => onError(error) }),
  defaultOptions: {
    queries: {
      // Client errors (403, 404, validation) will not change on a retry.
      retry: (count, error) => {
        const status = error instanceof AuthError ? error.status : trpcStatus(error);
        return (status === undefined || status >= 500) && count < 2;
      },
      refetchOnWindowFocus: false,
    },
  },
});

// A page restored from the back/forward cache (Back after impersonating, which
// loads a new page) shows what it showed then: check the session again.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) void queryClient.invalidateQueries({ queryKey: sessionKey });
});

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <ConfirmProvider>
            <App />
          </ConfirmProvider>
        </TRPCProvider>
      </QueryClientProvider>
    </ErrorBoundary>
  </StrictMode>,
);
