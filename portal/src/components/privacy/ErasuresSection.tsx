import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { api, unwrap } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import { useFieldErrors, useFormStyles } from '../form.js';
import { formatTime } from '../format.js';
import { Pager, usePages } from '../paging.js';
import { Section } from '../Section.js';
import { ErasureOutcome, ErasureStatusBadge } from './ErasureOutcome.js';

const PAGE_SIZE = 20;

/**
 * Erase a person, follow the erasure, and look back at earlier ones. The API has no list
 * of erasures; every request leaves an audit entry naming the erasure, newest first, so
 * the history is the audit trail's erasure entries.
 */
export function ErasuresSection() {
  const styles = useFormStyles();
  const queryClient = useQueryClient();
  const errors = useFieldErrors();
  const [email, setEmail] = useState('');
  const [confirming, setConfirming] = useState(false);
  // Mounted from the first time it opens: a mounted Dialog leaves focus-trap sentinels in the page even while closed.
  const [asked, setAsked] = useState(false);
  const [shown, setShown] = useState<string>();
  const history = usePages([...keys.audit, 'erasure'], (continuation) =>
    unwrap(api.GET('/audit', { params: { query: { entity: 'erasure', top: PAGE_SIZE, ...(continuation ? { continuation } : {}) } } })),
  );

  const erase = useMutation({
    mutationFn: (address: string) => unwrap(api.POST('/erasures', { body: { email: address } })),
    onSuccess: async (erasure) => {
      // The address is not kept on the page once the API has it.
      setEmail('');
      setShown(erasure.id);
      queryClient.setQueryData(keys.erasure(erasure.id), erasure);
      await queryClient.invalidateQueries({ queryKey: keys.audit });
      await queryClient.invalidateQueries({ queryKey: keys.suppressions });
    },
    onError: (error) => errors.setApiError(error),
    onSettled: () => setConfirming(false),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    if (!email.trim()) return errors.setLocal({ email: 'Enter the address to erase' });
    if (!email.includes('@')) return errors.setLocal({ email: 'Enter an email address' });
    setAsked(true);
    setConfirming(true);
  }

  const error = errors.errorFor('email');
  const { query } = history;
  return (
    <>
      <p>
        Removes a person from every audience the app sent them to, now and without a run, and from every membership ledger and rejected-rows report;
        their address is suppressed so no run sends it again.
      </p>
      <form className={styles.form} onSubmit={submit} noValidate aria-label="Erase a person">
        {errors.general ? (
          <MessageBar intent="error">
            <MessageBarBody>{errors.general}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Field label="Email address" required validationMessage={error} validationState={error ? 'error' : 'none'}>
          <Input type="email" autoComplete="off" value={email} maxLength={320} onChange={(_, data) => {
            setEmail(data.value);
            errors.clear('email');
          }} />
        </Field>
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={erase.isPending}>
            {erase.isPending ? 'Requesting…' : 'Erase this person'}
          </Button>
        </div>
      </form>
      {asked ? (
        <ConfirmDialog
          open={confirming}
          onOpenChange={setConfirming}
          title="Erase this person everywhere?"
          confirmLabel="Erase"
          onConfirm={() => erase.mutate(email.trim())}
          busy={erase.isPending}
        >
          <p>They are removed from every audience that holds them and suppressed. This cannot be undone from here.</p>
        </ConfirmDialog>
      ) : null}
      {shown ? (
        <Section title="Erasure outcome" level={3}>
          <ErasureOutcome erasureId={shown} />
        </Section>
      ) : null}
      <Section title="Earlier erasures" level={3}>
        {query.isPending ? (
          <Spinner size="small" label="Loading erasures" />
        ) : query.error ? (
          <MessageBar intent="error">
            <MessageBarBody>{query.error.message}</MessageBarBody>
          </MessageBar>
        ) : query.data.items.length === 0 ? (
          <p>No erasure has been requested.</p>
        ) : (
          <Table aria-label="Erasures">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Requested</TableHeaderCell>
                <TableHeaderCell>By</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {query.data.items.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell>{formatTime(entry.at)}</TableCell>
                  <TableCell>{entry.actor.userDetails || entry.actor.userId}</TableCell>
                  <TableCell>
                    <ErasureStatus erasureId={entry.entity.id} />
                  </TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => setShown(entry.entity.id)} aria-label={`Show the outcome of the erasure requested ${formatTime(entry.at)}`}>
                      Show outcome
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Pager label="Erasures" pages={history} />
      </Section>
    </>
  );
}

function ErasureStatus({ erasureId }: { erasureId: string }) {
  const erasure = useQuery({
    queryKey: keys.erasure(erasureId),
    queryFn: () => unwrap(api.GET('/erasures/{id}', { params: { path: { id: erasureId } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1000 : false),
  });
  if (erasure.isPending) return <Spinner size="tiny" label="Loading" />;
  if (erasure.error) return <>{erasure.error.message}</>;
  return <ErasureStatusBadge status={erasure.data.status} />;
}
