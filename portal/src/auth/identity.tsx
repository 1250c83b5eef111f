import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setDevelopmentPrincipal, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { Me, Role } from '../api/types.js';

/** Who the portal acts as in development; in Azure the signed-in user, always. */
export type DevelopmentRole = 'admin' | 'contributor';

export const developmentPrincipals: Record<DevelopmentRole, { userId: string; userDetails: string; userRoles: string[] }> = {
  admin: { userId: 'dev-admin', userDetails: 'dev-admin@localhost', userRoles: ['admin'] },
  contributor: { userId: 'dev-contributor', userDetails: 'dev-contributor@localhost', userRoles: ['contributor'] },
};

const STORAGE_KEY = 'segment-export.development-role';

export interface Identity {
  me: Me | undefined;
  isAdmin: boolean;
  hasRole: (role: Role) => boolean;
  /** Set when the app runs in development and trusts the principal the browser sends. */
  development?: { role: DevelopmentRole; setRole: (role: DevelopmentRole) => void };
  loading: boolean;
  error: unknown;
}

const IdentityContext = createContext<Identity | undefined>(undefined);

export function useIdentity(): Identity {
  const identity = useContext(IdentityContext);
  if (!identity) throw new Error('useIdentity needs an IdentityProvider');
  return identity;
}

/** Tests give a fixed identity instead of asking the API. */
export function StaticIdentity({ identity, children }: { identity: Identity; children: ReactNode }) {
  return <IdentityContext.Provider value={identity}>{children}</IdentityContext.Provider>;
}

async function readDevelopmentFlag(): Promise<boolean> {
  const response = await fetch('./config.json').catch(() => undefined);
  if (!response?.ok) return false;
  const body = (await response.json().catch(() => ({}))) as { development?: boolean };
  return body.development === true;
}

export function IdentityProvider({ children }: { children: ReactNode }) {
  const config = useQuery({ queryKey: ['portal-config'], queryFn: readDevelopmentFlag, staleTime: Infinity });
  const [role, setRoleState] = useState<DevelopmentRole>(() => (globalThis.localStorage?.getItem(STORAGE_KEY) === 'contributor' ? 'contributor' : 'admin'));
  const development = config.data === true;
  // The header must be in place before the first API call, hence the effect-free assignment during render.
  setDevelopmentPrincipal(development ? developmentPrincipals[role] : undefined);

  const me = useQuery({
    queryKey: [...keys.me, development ? role : 'platform'],
    queryFn: () => unwrap(api.GET('/me')),
    enabled: config.isSuccess,
    retry: false,
  });

  // In Azure, no session (or an expired one) means App Service authentication answered 401:
  // its sign-in page brings the user back here with a session cookie.
  const signedOut = !development && me.error instanceof ApiError && me.error.status === 401;
  useEffect(() => {
    if (signedOut) location.assign(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname + location.hash)}`);
  }, [signedOut]);

  const queryClient = useQueryClient();
  const setRole = useCallback(
    (next: DevelopmentRole) => {
      localStorage.setItem(STORAGE_KEY, next);
      setDevelopmentPrincipal(developmentPrincipals[next]);
      setRoleState(next);
      // Someone else now: nothing the previous principal was shown may linger, and every page asks again as the new one.
      void queryClient.resetQueries({ predicate: (query) => query.queryKey[0] !== 'portal-config' });
    },
    [queryClient],
  );

  const identity = useMemo<Identity>(() => {
    const roles = me.data?.roles ?? [];
    return {
      me: me.data,
      isAdmin: roles.includes('admin'),
      hasRole: (r) => roles.includes(r),
      ...(development ? { development: { role, setRole } } : {}),
      loading: config.isPending || me.isPending,
      error: me.error,
    };
  }, [me.data, me.error, me.isPending, config.isPending, development, role, setRole]);

  return <IdentityContext.Provider value={identity}>{children}</IdentityContext.Provider>;
}
