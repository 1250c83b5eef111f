import { Button, Dialog, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useConnections, useDestinations, useExport } from '../api/queries.js';
import type { Export } from '../api/types.js';
import { AudiencesPanel } from '../components/AudiencesPanel.js';
import { DeleteExportDialog } from '../components/DeleteExportDialog.js';
import { formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { PreviewPanel } from '../components/PreviewPanel.js';
import { RunNowPanel } from '../components/RunNowPanel.js';
import { Section } from '../components/Section.js';
import { WebhooksPanel } from '../components/WebhooksPanel.js';

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`, margin: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
  // The pair's own box steps aside so term and value sit in the grid's two columns.
  pair: { display: 'contents' },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
});

export const syncModeText = (mode: Export['syncMode']) =>
  mode === 'add-only' ? 'Add only: people who leave a segment stay in the audience' : 'Mirror: people who leave a segment are removed from the audience';

/** The export's alert thresholds in words, e.g. "match rate below 50%; shrinks by more than 20% between readings". */
export function audienceAlertsText(alerts: Export['audienceAlerts']): string {
  const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
  const parts = [
    ...(alerts?.matchRateBelow !== undefined ? [`match rate below ${percent(alerts.matchRateBelow)}`] : []),
    ...(alerts?.shrinksBy !== undefined ? [`shrinks by more than ${percent(alerts.shrinksBy)} between readings`] : []),
  ];
  return parts.length ? `${parts.join('; ')} (told to the webhooks once per crossing)` : 'none';
}

/** One export: what it is, run it (or a full sync), what the destination made of its audiences, preview the next run, its webhooks, delete it. */
export function ExportPage() {
  const styles = useStyles();
  const { id = '' } = useParams();
  const exp = useExport(id);
  const connections = useConnections();
  const destinations = useDestinations();
  const [deleteOpen, setDeleteOpen] = useState(false);
  // Mounted from the first time it opens: a mounted Dialog leaves focus-trap sentinels in the page even while closed.
  const [deleteAsked, setDeleteAsked] = useState(false);
  const [deleted, setDeleted] = useState(false);

  if (exp.isPending) return <Spinner label="Loading the export" />;
  if (exp.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{exp.error.message}</MessageBarBody>
      </MessageBar>
    );
  const e = exp.data;
  const destinationName = destinations.data?.find((d) => d.type === e.destinationType)?.displayName ?? e.destinationType;
  const connection = connections.data?.find((c) => c.id === e.connectionId);
  const facts: [string, string][] = [
    ['Destination', destinationName],
    ['Connection', connection?.displayName ?? 'not available to you'],
    ['Segments', e.segments.join(', ')],
    ['Data matching', Object.entries(e.dataMatching).map(([field, column]) => `${field} ← ${column}`).join(', ')],
    ...Object.entries(e.settings).map(([name, value]): [string, string] => [`Setting: ${name}`, value]),
    ['Members who leave', syncModeText(e.syncMode)],
    ['Audience alerts', audienceAlertsText(e.audienceAlerts)],
    ['Schedule', e.schedule === 'inherit' ? 'the system refresh schedule' : 'none: on demand or when a segment refreshes'],
    ['New segment file', e.runOnSegmentRefresh ? 'starts a run' : 'waits for the next run'],
    ['Over the limit', e.truncate ? 'send the first rows, report the rest' : 'fail the segment'],
    ['Enabled', e.enabled ? 'yes' : `no${e.disabledReason ? ` (${e.disabledReason})` : ''}`],
    ['Created', `${e.createdBy.userDetails || e.createdBy.userId}, ${formatTime(e.createdAt)}`],
  ];
  // The dialog stays mounted and closes through `open`: unmounting it while open would leave the page hidden from assistive technology.
  const deleteDialog = deleteAsked ? (
    <Dialog open={deleteOpen} onOpenChange={(_, data) => setDeleteOpen(data.open)}>
      <DeleteExportDialog
        exp={e}
        onCancel={() => setDeleteOpen(false)}
        onDeleted={() => {
          setDeleteOpen(false);
          setDeleted(true);
        }}
      />
    </Dialog>
  ) : null;
  if (deleted)
    return (
      <>
        {deleteDialog}
        <PageHeading>Export deleted</PageHeading>
        <MessageBar intent="success">
          <MessageBarBody>
            “{e.name}” is deleted, with its run history, webhooks and membership ledgers. <a href="#/exports">Back to the exports</a>
          </MessageBarBody>
        </MessageBar>
      </>
    );
  // The dialog first in both branches: React keeps it (and its closing animation) across the switch.
  return (
    <>
      {deleteDialog}
      <PageHeading
        actions={
          <div className={styles.actions}>
            <Button as="a" href={`#/exports/${e.id}/edit`}>
              Edit
            </Button>
            <Button as="a" href={`#/exports/${e.id}/runs`}>
              Run history
            </Button>
            <Button
              onClick={() => {
                setDeleteAsked(true);
                setDeleteOpen(true);
              }}
            >
              Delete
            </Button>
          </div>
        }
      >
        {`Export: ${e.name}`}
      </PageHeading>
      <dl className={styles.facts}>
        {facts.map(([term, value]) => (
          <div key={term} className={styles.pair}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
      <Section title="Run now">
        <RunNowPanel exp={e} />
      </Section>
      <Section title="Audiences">
        <AudiencesPanel exportId={e.id} destinationName={destinationName} />
      </Section>
      <Section title="Preview (dry run)">
        <PreviewPanel exp={e} destinationName={destinationName} />
      </Section>
      <Section title="Webhooks">
        <WebhooksPanel exportId={e.id} />
      </Section>
    </>
  );
}
