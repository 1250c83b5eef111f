import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** A part of a page under its own real heading (h2 by default), which also names the region. */
export function Section({ title, level = 2, children }: { title: string; level?: 2 | 3; children: ReactNode }) {
  const styles = useStyles();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Text as={level === 2 ? 'h2' : 'h3'} id={id} size={level === 2 ? 500 : 400} weight="semibold" block>
        {title}
      </Text>
      {children}
    </section>
  );
}
