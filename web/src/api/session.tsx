// The session kit: who is logged in (GET /v1/me), what they may do, logging in and out, and the
// user's language. Roles decide what the console shows; the server still checks every call.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { api, ApiError, setUnauthorizedHandler } from './client.ts';
import { currentLanguage, isLanguage, setLanguage, type Language } from '../i18n/index.ts';

export interface MeUser {
  id: string;
  email: string;
  name: string;
  role: string;
  tenantId: string | null;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  locale?: string | null;
}

export interface MeTenant {
  id: string;
  name: string;
  status: string;
  currency?: string;
  [k: string]: unknown;
}

export interface Me {
  kind: 'user';
  user: MeUser;
  tenant: MeTenant | null;
  permissions: string[];
}

type State = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; me: Me };

export interface Session {
  state: State;
  me: Me | null;
  /** Operator staff (no tenant) see the operator portal; tenant users the tenant portal. */
  portal: 'tenant' | 'operator' | null;
  can(permission: string | readonly string[] | undefined): boolean;
  logIn(input: { email: string; password: string; totp?: string }): Promise<Me>;
  logOut(): Promise<void>;
  reload(): Promise<Me | null>;
  changeLanguage(lang: Language): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  const reload = useCallback(async (): Promise<Me | null> => {
    try {
      const me = await api.get<Me>('/v1/me');
      if (me.kind !== 'user') throw new Error('not a user session');
      setState({ status: 'signed-in', me });
      if (isLanguage(me.user.locale) && me.user.locale !== currentLanguage())
        await setLanguage(me.user.locale);
      return me;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setState({ status: 'anonymous' });
        return null;
      }
      throw err;
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setState({ status: 'anonymous' }));
    reload().catch(() => setState({ status: 'anonymous' }));
    return () => setUnauthorizedHandler(null);
  }, [reload]);

  const logIn = useCallback(
    async (input: { email: string; password: string; totp?: string }) => {
      await api.post('/v1/auth/login', input, { quiet401: true });
      const me = await reload();
      if (!me) throw new Error('session not established');
      return me;
    },
    [reload],
  );

  const logOut = useCallback(async () => {
    try {
      await api.post('/v1/auth/logout');
    } finally {
      setState({ status: 'anonymous' });
    }
  }, []);

  const me = state.status === 'signed-in' ? state.me : null;

  const changeLanguage = useCallback(
    async (lang: Language) => {
      await setLanguage(lang);
      // Remembered per user: the account keeps it, so the next browser opens in it too.
      if (me) await api.put('/v1/me/locale', { locale: lang }).catch(() => undefined);
    },
    [me],
  );

  const value = useMemo<Session>(() => {
    const perms = new Set(me?.permissions ?? []);
    return {
      state,
      me,
      portal: me ? (me.tenant ? 'tenant' : 'operator') : null,
      can: (p) =>
        p === undefined ? true : typeof p === 'string' ? perms.has(p) : p.some((x) => perms.has(x)),
      logIn,
      logOut,
      reload,
      changeLanguage,
    };
  }, [state, me, logIn, logOut, reload, changeLanguage]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
