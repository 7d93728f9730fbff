// The frame of every signed-in page: the menu this user's role allows, the language switch, the
// user menu, and (tenant portal) the operator's announcements.
import { Suspense, useMemo } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { Layout, Menu, Dropdown, Space, Typography, Spin, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../api/session.tsx';
import { NAV_GROUPS, PAGES } from '../routes.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { AnnouncementBanner } from './Announcements.tsx';

const { Header, Sider, Content } = Layout;

export function AppLayout() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const portal = session.portal!;

  const items = useMemo(() => {
    const visible = PAGES.filter((p) => p.portal === portal && p.nav && session.can(p.permission));
    const out: Array<{ key: string; label: React.ReactNode; children?: unknown[] }> = [];
    const groups = new Map<string, { key: string; label: React.ReactNode; children: unknown[] }>();
    for (const p of visible) {
      const item = {
        key: p.path,
        label: <Link to={p.path}>{t(`common:nav.${p.nav!.label}`)}</Link>,
      };
      const g = p.nav!.group;
      if (!g) {
        out.push(item);
        continue;
      }
      let group = groups.get(g);
      if (!group) {
        group = { key: `group:${g}`, label: t(`common:nav.${NAV_GROUPS[g]}`), children: [] };
        groups.set(g, group);
        out.push(group);
      }
      group.children.push(item);
    }
    return out;
  }, [portal, session, t]);

  const selected = useMemo(() => {
    const match = PAGES.filter((p) => p.portal === portal && p.nav)
      .map((p) => p.path)
      .filter(
        (p) =>
          location.pathname === p ||
          (p !== '/' && p !== '/admin' && location.pathname.startsWith(p + '/')),
      )
      .sort((a, b) => b.length - a.length)[0];
    return match ? [match] : [];
  }, [location.pathname, portal]);

  const me = session.me!;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider breakpoint="lg" collapsedWidth={0} width={220} theme="dark">
        <div style={{ color: '#fff', padding: '16px 20px', fontSize: 18, fontWeight: 600 }}>
          {t('common:brandShort')}
          <div style={{ fontSize: 12, fontWeight: 400, opacity: 0.7 }}>
            {t(`common:portal.${portal}`)}
          </div>
        </div>
        <nav aria-label={t(`common:portal.${portal}`)}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={selected}
            defaultOpenKeys={Object.keys(NAV_GROUPS).map((g) => `group:${g}`)}
            items={items as never}
          />
        </nav>
      </Sider>
      <Layout>
        <Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
          }}
        >
          <Typography.Text strong>{me.tenant ? me.tenant.name : t('common:brand')}</Typography.Text>
          <Space size="middle">
            <a href="/docs" target="_blank" rel="noreferrer">
              {t('common:nav.apiDocs')}
            </a>
            <LanguageSwitch />
            <Dropdown
              menu={{
                items: [
                  ...(portal === 'tenant'
                    ? [{ key: 'account', label: t('common:user.account') }]
                    : []),
                  { key: 'logout', label: t('common:user.logout') },
                ],
                onClick: ({ key }) => {
                  if (key === 'account') navigate('/account');
                  else void session.logOut().then(() => navigate('/login'));
                },
              }}
            >
              <Button type="text" data-testid="user-menu">
                {me.user.name} · {t(`common:roles.${me.user.role}`)}
              </Button>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ margin: 24 }}>
          {portal === 'tenant' ? <AnnouncementBanner /> : null}
          <main>
            <Suspense fallback={<Spin style={{ display: 'block', margin: 48 }} />}>
              <Outlet />
            </Suspense>
          </main>
        </Content>
      </Layout>
    </Layout>
  );
}
