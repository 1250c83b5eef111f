import {
  Button,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { api, ApiError, fieldMessage, unwrap } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import type { AuditEntity, AuditEntry, AuditQuery } from '../../api/types.js';
import { formatTime } from '../format.js';
import { Pager, usePages } from '../paging.js';

const PAGE_SIZE = 25;

/** Words for the API's audited entities; a Record over the generated type, so a new one fails the build until it has its words. */
export const entityLabels: Record<AuditEntity, string> = {
  connection: 'Connections',
  export: 'Exports',
  webhook: 'Webhooks',
  schedule: 'Schedule',
  suppression: 'Suppressions',
  erasure: 'Erasures',
};

type Filters = Pick<AuditQuery, 'entity' | 'entityId' | 'user'>;

const useStyles = makeStyles({
  filters: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap' },
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/** The audit trail, newest first, filtered by entity, entity id and user, a page at a time. */
export function AuditTrailSection() {
  const styles = useStyles();
  const [draft, setDraft] = useState<Filters>({});
  const [applied, setApplied] = useState<Filters>({});
  const pages = usePages([...keys.audit, 'trail', applied], (continuation) =>
    unwrap(api.GET('/audit', { params: { query: { ...applied, top: PAGE_SIZE, ...(continuation ? { continuation } : {}) } } })),
  );
  const { query } = pages;
  // The API checks the filters; what it says about one appears beside that filter.
  const problems = query.error instanceof ApiError ? query.error.problem.errors : undefined;
  const errorOf = (field: keyof Filters) => fieldMessage(problems, field);
  const placed = ['entity', 'entityId', 'user'] as const;
  const unplaced = query.error && !placed.some((f) => errorOf(f)) ? query.error.message : undefined;

  function apply(event: FormEvent) {
    event.preventDefault();
    const trimmed: Filters = {
      ...(draft.entity ? { entity: draft.entity } : {}),
      ...(draft.entityId?.trim() ? { entityId: draft.entityId.trim() } : {}),
      ...(draft.user?.trim() ? { user: draft.user.trim() } : {}),
    };
    setApplied(trimmed);
  }

  return (
    <>
      <form className={styles.filters} onSubmit={apply} aria-label="Filter the audit trail">
        <Field label="Entity" validationMessage={errorOf('entity')} validationState={errorOf('entity') ? 'error' : 'none'}>
          <Select value={draft.entity ?? ''} onChange={(_, data) => setDraft({ ...draft, entity: (data.value || undefined) as AuditEntity | undefined })}>
            <option value="">All</option>
            {(Object.keys(entityLabels) as AuditEntity[]).map((e) => (
              <option key={e} value={e}>
                {entityLabels[e]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Entity id" validationMessage={errorOf('entityId')} validationState={errorOf('entityId') ? 'error' : 'none'}>
          <Input value={draft.entityId ?? ''} maxLength={200} onChange={(_, data) => setDraft({ ...draft, entityId: data.value })} />
        </Field>
        <Field label="User id" validationMessage={errorOf('user')} validationState={errorOf('user') ? 'error' : 'none'}>
          <Input value={draft.user ?? ''} maxLength={256} onChange={(_, data) => setDraft({ ...draft, user: data.value })} />
        </Field>
        <Button type="submit" appearance="primary">
          Apply filters
        </Button>
        <Button
          type="button"
          onClick={() => {
            setDraft({});
            setApplied({});
          }}
        >
          Clear filters
        </Button>
      </form>
      {unplaced ? (
        <MessageBar intent="error">
          <MessageBarBody>{unplaced}</MessageBarBody>
        </MessageBar>
      ) : null}
      {query.isPending ? (
        <Spinner size="small" label="Loading the audit trail" />
      ) : query.data === undefined ? null : query.data.items.length === 0 ? (
        <p>No entries match.</p>
      ) : (
        <Table aria-label="Audit trail">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Who</TableHeaderCell>
              <TableHeaderCell>Action</TableHeaderCell>
              <TableHeaderCell>Entity</TableHeaderCell>
              <TableHeaderCell>Fields set</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {query.data.items.map((entry) => (
              <TableRow key={entry.id}>
                <TableCell>{formatTime(entry.at)}</TableCell>
                <TableCell>{entry.actor.userDetails ? `${entry.actor.userDetails} (${entry.actor.userId})` : entry.actor.userId}</TableCell>
                <TableCell>{entry.action}</TableCell>
                <TableCell>
                  {entry.entity.type} {entry.entity.id}
                </TableCell>
                <TableCell>
                  <Changes entry={entry} className={styles.changes} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Pager label="Audit trail" pages={pages} />
    </>
  );
}

function Changes({ entry, className }: { entry: AuditEntry; className: string }) {
  const changes = Object.entries(entry.changes ?? {});
  if (changes.length === 0) return null;
  return (
    <ul className={className}>
      {changes.map(([field, value]) => (
        <li key={field}>
          {field}: {String(value)}
        </li>
      ))}
    </ul>
  );
}
