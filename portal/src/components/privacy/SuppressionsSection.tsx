import {
  Button,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { api, ApiError, unwrap } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import type { Suppression } from '../../api/types.js';
import { useFormStyles } from '../form.js';
import { formatCount, formatTime } from '../format.js';
import { Pager, usePages } from '../paging.js';

const MAX_PER_CALL = 10_000;
const PAGE_SIZE = 50;

const useStyles = makeStyles({ hash: { fontFamily: 'monospace', wordBreak: 'break-all' } });

/** The addresses typed: one per line, or separated by commas or semicolons. */
export function parseAddresses(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/**
 * The API names a refused address by its index (`emails[3]`) and never repeats it: shown as
 * its position in what was typed, so the message carries no address either.
 */
export function addressErrors(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const listed = (error.problem.errors ?? []).flatMap((e) => {
    const index = /^emails\[(\d+)\]$/.exec(e.field)?.[1];
    return index === undefined ? (e.field === 'emails' ? [e.message] : []) : [`address ${Number(index) + 1}: ${e.message}`];
  });
  if (listed.length === 0) return undefined;
  const shown = listed.slice(0, 5).join('; ');
  return listed.length > 5 ? `${shown}; and ${listed.length - 5} more` : shown;
}

/**
 * Add addresses to the suppression list and manage it. The API keeps and returns only
 * SHA-256 hashes, so the list shows hashes; what was typed is cleared once it is saved.
 */
export function SuppressionsSection() {
  const styles = useStyles();
  const formStyles = useFormStyles();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [localError, setLocalError] = useState<string>();
  const [removing, setRemoving] = useState<{ suppression: Suppression; open: boolean }>();
  const [notice, setNotice] = useState<string>();
  const pages = usePages(keys.suppressions, (continuation) =>
    unwrap(api.GET('/suppressions', { params: { query: { top: PAGE_SIZE, ...(continuation ? { continuation } : {}) } } })),
  );

  const add = useMutation({
    mutationFn: (emails: string[]) => unwrap(api.POST('/suppressions', { body: { emails } })),
    onSuccess: async (result) => {
      setText('');
      setNotice(
        `${formatCount(result.added)} added to the suppression list${result.alreadySuppressed ? `, ${formatCount(result.alreadySuppressed)} already on it` : ''}. No run sends them again, and the next run of each export removes them from its audiences.`,
      );
      await queryClient.invalidateQueries({ queryKey: keys.suppressions });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/suppressions/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setRemoving((r) => r && { ...r, open: false });
      setNotice('Taken off the suppression list: runs may send that address again.');
      await queryClient.invalidateQueries({ queryKey: keys.suppressions });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    add.reset();
    const emails = parseAddresses(text);
    if (emails.length === 0) return setLocalError('Enter at least one address');
    if (emails.length > MAX_PER_CALL) return setLocalError(`At most ${formatCount(MAX_PER_CALL)} addresses at a time (this is ${formatCount(emails.length)})`);
    setLocalError(undefined);
    add.mutate(emails);
  }

  const fieldError = localError ?? addressErrors(add.error);
  const otherError = add.error && !fieldError ? add.error.message : undefined;
  const { query } = pages;
  return (
    <>
      <form className={formStyles.form} onSubmit={submit} noValidate aria-label="Suppress addresses">
        <Field
          label="Addresses to suppress"
          hint={`One per line, or separated by commas; up to ${formatCount(MAX_PER_CALL)} at a time. Only a SHA-256 hash of each address is kept.`}
          validationMessage={fieldError}
          validationState={fieldError ? 'error' : 'none'}
        >
          <Textarea value={text} resize="vertical" rows={4} onChange={(_, data) => {
            setText(data.value);
            setLocalError(undefined);
            if (add.error) add.reset();
          }} />
        </Field>
        {otherError ? (
          <MessageBar intent="error">
            <MessageBarBody>{otherError}</MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={formStyles.actions}>
          <Button appearance="primary" type="submit" disabled={add.isPending}>
            {add.isPending ? 'Suppressing…' : 'Suppress'}
          </Button>
        </div>
      </form>
      <div aria-live="polite">
        {notice ? (
          <MessageBar intent="success">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {query.isPending ? (
        <Spinner size="small" label="Loading the suppression list" />
      ) : query.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{query.error.message}</MessageBarBody>
        </MessageBar>
      ) : query.data.items.length === 0 ? (
        <p>Nobody is suppressed.</p>
      ) : (
        <Table aria-label="Suppression list">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Address hash (SHA-256)</TableHeaderCell>
              <TableHeaderCell>Source</TableHeaderCell>
              <TableHeaderCell>Added by</TableHeaderCell>
              <TableHeaderCell>Added</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {query.data.items.map((s) => (
              <TableRow key={s.id}>
                <TableCell className={styles.hash}>{s.id}</TableCell>
                <TableCell>{s.source}</TableCell>
                <TableCell>{s.addedBy.userDetails || s.addedBy.userId}</TableCell>
                <TableCell>{formatTime(s.addedAt)}</TableCell>
                <TableCell>
                  <Button size="small" onClick={() => setRemoving({ suppression: s, open: true })} aria-label={`Take ${s.id.slice(0, 12)} off the list`}>
                    Take off the list
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Pager label="Suppression list" pages={pages} />
      {removing ? (
        <ConfirmDialog
          open={removing.open}
          onOpenChange={(open) => setRemoving({ ...removing, open })}
          title="Take this address off the suppression list?"
          confirmLabel="Take off the list"
          onConfirm={() => remove.mutate(removing.suppression.id)}
          busy={remove.isPending}
          error={remove.error}
        >
          <p>
            Hash <span className={styles.hash}>{removing.suppression.id}</span>. Runs may send the address again from then on, to every export whose segments hold
            it.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
