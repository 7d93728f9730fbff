// Routes of the console: the login and password pages, then each portal's pages inside the frame,
// guarded by the same permission list that builds the menu.
import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { Button, ConfigProvider, Result, Spin, App as AntApp } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useTranslation } from 'react-i18next';
import { SessionProvider, useSession } from './api/session.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { EmptyText } from './components/EmptyText.tsx';
import { PAGES, homeOf } from './routes.tsx';
import Login from './pages/auth/Login.tsx';

const ChangePassword = lazy(() => import('./pages/auth/ChangePassword.tsx'));

// Ant Design's defaults, darkened where they miss WCAG AA contrast (4.5:1) on white.
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    // Status colours (tags, danger buttons) as text on white and on their own light backgrounds.
    // Their light backgrounds are given too: the ones derived from darker seeds turn grey.
    colorSuccess: '#237804',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorError: '#cf1322',
    colorErrorBg: '#fff2f0',
    colorErrorBorder: '#ffccc7',
    colorWarning: '#874d00',
    colorWarningBg: '#fffbe6',
    colorWarningBorder: '#ffe58f',
    colorInfo: '#003eb3',
    colorInfoBg: '#e6f4ff',
    colorInfoBorder: '#91caff',
    // Hovered buttons keep white text readable (the derived hover colours are lighter).
    colorPrimaryHover: '#003eb3',
    colorErrorHover: '#a8071a',
  },
};

function Loading() {
  return <Spin style={{ display: 'block', margin: 96 }} />;
}

function NotFound() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <Result
      status="404"
      title={t('common:state.notFound')}
      extra={
        <Button type="primary" href={homeOf(session.portal ?? 'tenant')}>
          {t('common:state.backHome')}
        </Button>
      }
    />
  );
}

function Forbidden() {
  const { t } = useTranslation();
  return <Result status="403" title={t('common:state.forbidden')} />;
}

/** Signed in (and password changed) or off to the login page. */
function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.state.status === 'loading') return <Loading />;
  if (!session.me) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (session.me.user.mustChangePassword) return <Navigate to="/password" replace />;
  return <AppLayout />;
}

function ConsoleRoutes() {
  const session = useSession();
  const portal = session.portal;
  const pages = useMemo(() => PAGES.map((p) => ({ ...p, Component: lazy(p.load) })), []);
  return (
    <Routes>
      <Route
        path="/login"
        element={session.me ? <Navigate to={homeOf(portal!)} replace /> : <Login />}
      />
      <Route
        path="/password"
        element={
          session.state.status === 'loading' ? (
            <Loading />
          ) : session.me ? (
            <Suspense fallback={<Loading />}>
              <ChangePassword />
            </Suspense>
          ) : (
            <Navigate to="/login" replace />
          )
        }
      />
      <Route element={<RequireSession />}>
        {pages.map((p) => (
          <Route
            key={p.path}
            path={p.path}
            element={
              portal !== p.portal ? (
                p.path === '/' && portal === 'operator' ? (
                  <Navigate to="/admin" replace />
                ) : (
                  <NotFound />
                )
              ) : session.can(p.permission) ? (
                <p.Component />
              ) : (
                <Forbidden />
              )
            }
          />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App() {
  const { i18n } = useTranslation();
  const zh = i18n.language !== 'en';
  dayjs.locale(zh ? 'zh-cn' : 'en');
  return (
    // Every table's, list's and select's "no data" readable (components/EmptyText.tsx).
    <ConfigProvider locale={zh ? zhCN : enUS} theme={THEME} renderEmpty={() => <EmptyText />}>
      <AntApp>
        <SessionProvider>
          <BrowserRouter>
            <ConsoleRoutes />
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
