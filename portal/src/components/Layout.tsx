import { Field, makeStyles, MessageBar, MessageBarBody, Select, Spinner, Text, tokens } from '@fluentui/react-components';
import { NavLink, Outlet } from 'react-router';
import { useIdentity, type DevelopmentRole } from '../auth/identity.js';

const useStyles = makeStyles({
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXXL,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXXL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    flexWrap: 'wrap',
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase500, color: tokens.colorNeutralForegroundOnBrand },
  nav: { display: 'flex', gap: tokens.spacingHorizontalL, flexGrow: 1, flexWrap: 'wrap' },
  link: {
    color: tokens.colorNeutralForegroundOnBrand,
    textDecoration: 'none',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { textDecoration: 'underline' },
    ':focus-visible': { outline: `2px solid ${tokens.colorNeutralForegroundOnBrand}` },
  },
  active: { backgroundColor: tokens.colorBrandBackgroundPressed },
  who: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, color: tokens.colorNeutralForegroundOnBrand },
  switch: { color: tokens.colorNeutralForegroundOnBrand },
  main: { padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXL}`, maxWidth: '1200px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function Layout() {
  const styles = useStyles();
  const identity = useIdentity();
  const links: { to: string; label: string; admin?: boolean }[] = [
    { to: '/', label: 'Home' },
    { to: '/exports', label: 'Exports' },
    { to: '/connections', label: 'Connections' },
    { to: '/segments', label: 'Segments' },
    { to: '/schedule', label: 'Schedule', admin: true },
    { to: '/privacy', label: 'Privacy', admin: true },
  ];
  const role = identity.isAdmin ? 'admin' : identity.hasRole('contributor') ? 'contributor' : 'no role';
  return (
    <>
      <header className={styles.header}>
        <span className={styles.brand}>segment-export</span>
        <nav aria-label="Main" className={styles.nav}>
          {links
            .filter((link) => !link.admin || identity.isAdmin)
            .map((link) => (
              <NavLink key={link.to} to={link.to} end={link.to === '/'} className={({ isActive }) => `${styles.link} ${isActive ? styles.active : ''}`}>
                {link.label}
              </NavLink>
            ))}
        </nav>
        <div className={styles.who}>
          {identity.me ? (
            <Text>
              {identity.me.userDetails || identity.me.userId} ({role})
            </Text>
          ) : null}
          {identity.development ? (
            <Field label={{ children: 'Act as', className: styles.switch }} orientation="horizontal">
              <Select
                value={identity.development.role}
                onChange={(_, data) => identity.development!.setRole(data.value as DevelopmentRole)}
              >
                <option value="admin">Admin</option>
                <option value="contributor">Contributor</option>
              </Select>
            </Field>
          ) : null}
        </div>
      </header>
      <main className={styles.main}>
        {identity.loading ? (
          <Spinner label="Signing in" />
        ) : identity.error ? (
          <MessageBar intent="error">
            <MessageBarBody>You cannot use the portal: {(identity.error as Error).message}</MessageBarBody>
          </MessageBar>
        ) : (
          <Outlet />
        )}
      </main>
    </>
  );
}
