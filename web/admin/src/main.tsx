import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConfirmProvider } from './components/Confirm';
import { AuthError } from './lib/auth';
import { sessionKey } from './lib/session';
import { trpcClient, trpcStatus, TRPCProvider } from './lib/trpc';
import './styles.css';

// A 401 anywhere means the session ended (expired, revoked, banned): ask
// get-session again, which sends the app back to the sign-in page.
function onError(error: unknown) {
  const status = error instanceof AuthError ? error.status : trpcStatus(error);
  if (status === 401) void queryClient.invalidateQueries({ queryKey: sessionKey });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
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

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ConfirmProvider>
          <App />
        </ConfirmProvider>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
