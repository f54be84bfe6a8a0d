import { createAuthClient } from 'better-auth/client';
import { adminClient } from 'better-auth/client/plugins';

// An explicit origin: without it the client falls back to env.BASE_URL, which
// Vite sets to '/admin/', and would call /admin/get-session.
export const authClient = createAuthClient({
  baseURL: window.location.origin,
  basePath: '/api/auth',
  plugins: [adminClient()],
});

// The admin plugin's user and session as this server sends them everywhere
// (docs/admin-plugin.md A.3); the client turns ISO timestamps into Dates.
// admin/get-user is declared as returning a plain user, though the role and
// ban fields come with it.
export type AuthUser = {
  id: string;
  email: string;
  name: string;
  image?: string | null;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
  role?: string | null;
  banned?: boolean | null;
  banReason?: string | null;
  banExpires?: Date | null;
};
export type AuthSession = {
  id: string;
  token: string;
  userId: string;
  expiresAt: Date;
  ipAddress?: string | null;
  userAgent?: string | null;
  createdAt: Date;
  updatedAt: Date;
  impersonatedBy?: string | null;
};

/** A BetterAuth failure, with the server's message and code. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

type AuthResult<T> =
  | { data: T; error: null }
  | { data: null; error: { message?: string; code?: string; status: number; statusText: string } };

/** The data of a BetterAuth client call, or its error thrown. */
export async function unwrap<T>(call: Promise<AuthResult<T>>): Promise<T> {
  const { data, error } = await call;
  if (error) {
    // A 401 or 403 may come with an empty body: the status is all there is.
    const message = error.message || error.statusText || `Request failed (${error.status})`;
    throw new AuthError(message, error.status, error.code);
  }
  return data as T;
}
