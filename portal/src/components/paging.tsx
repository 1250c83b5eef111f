import { Button, Text } from '@fluentui/react-components';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

/**
 * A list route read a page at a time (`?top=&continuation=`). The API pages forward only,
 * so the tokens of the pages already seen are kept to go back. A new `key` (other filters)
 * starts again at the first page.
 */
export function usePages<T>(key: readonly unknown[], fetchPage: (continuation: string | undefined) => Promise<{ items: T[]; continuation?: string }>) {
  const [trail, setTrail] = useState<{ key: string; tokens: (string | undefined)[] }>({ key: JSON.stringify(key), tokens: [undefined] });
  const keyText = JSON.stringify(key);
  const tokens = trail.key === keyText ? trail.tokens : [undefined];
  const current = tokens[tokens.length - 1];
  const query = useQuery({ queryKey: [...key, 'page', current ?? ''], queryFn: () => fetchPage(current), placeholderData: keepPreviousData });
  const next = query.data?.continuation;
  return {
    query,
    pageNumber: tokens.length,
    next: next ? () => setTrail({ key: keyText, tokens: [...tokens, next] }) : undefined,
    previous: tokens.length > 1 ? () => setTrail({ key: keyText, tokens: tokens.slice(0, -1) }) : undefined,
  };
}

/** Previous / next buttons for a paged list, named after what they page through. */
export function Pager({ label, pages }: { label: string; pages: { pageNumber: number; next?: () => void; previous?: () => void } }) {
  if (!pages.next && !pages.previous) return null;
  return (
    <nav aria-label={`${label} pages`} style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
      <Button size="small" disabled={!pages.previous} onClick={pages.previous}>
        Previous page
      </Button>
      <Text>Page {pages.pageNumber}</Text>
      <Button size="small" disabled={!pages.next} onClick={pages.next}>
        Next page
      </Button>
    </nav>
  );
}
