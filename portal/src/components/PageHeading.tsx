import { makeStyles, Title1, tokens } from '@fluentui/react-components';
import { useEffect, type ReactNode } from 'react';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalS, flexWrap: 'wrap' },
});

/** The page's one h1, also its document title, with the page's main actions beside it. */
export function PageHeading({ children, actions }: { children: string; actions?: ReactNode }) {
  const styles = useStyles();
  useEffect(() => {
    document.title = `${children} · segment-export`;
  }, [children]);
  return (
    <div className={styles.row}>
      <Title1 as="h1">{children}</Title1>
      {actions ? <div>{actions}</div> : null}
    </div>
  );
}
