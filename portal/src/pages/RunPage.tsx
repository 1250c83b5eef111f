import {
  Button,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys, useDestinations } from '../api/queries.js';
import type { Run } from '../api/types.js';
import { formatCount, formatDuration, formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { RunStatusBadge, TERMINAL_STATUSES } from '../components/RunStatusBadge.js';
import { RunAudienceStates } from '../components/RunAudienceStates.js';
import { RunRequests } from '../components/RunRequests.js';
import { SyncCountsTable } from '../components/SyncCountsTable.js';

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`, marginBottom: tokens.spacingVerticalL },
  section: { marginTop: tokens.spacingVerticalXL },
});

/** 0..1 from the run's progress: the work files uploaded so far; a finished run is complete. */
export function progressOf(run: Run): { value: number; text: string } {
  if (TERMINAL_STATUSES.has(run.status)) return { value: 1, text: `Finished: ${run.status}` };
  const p = run.progress;
  if (!p || p.workFilesTotal === 0) return { value: 0, text: p ? `Stage: ${p.stage}` : 'Queued' };
  // The ledger commit and the final record come after the last upload: the bar is full only once the run has finished.
  return { value: Math.min(p.workFilesDone / p.workFilesTotal, 0.99), text: `${p.stage}: ${p.workFilesDone} of ${p.workFilesTotal} work files` };
}

/**
 * How often to read the run again: live while it runs; once finished, only while requests the
 * destination processes later are still open (the app checks them minutes apart); else never.
 */
export function refetchIntervalOf(run: Run | undefined): number | false {
  if (!run || !TERMINAL_STATUSES.has(run.status)) return 500;
  return run.segments.some((s) => (s.requests?.processing ?? 0) > 0) ? 60_000 : false;
}

export function RunPage() {
  const styles = useStyles();
  const { id = '' } = useParams();
  const run = useQuery({
    queryKey: keys.run(id),
    queryFn: () => unwrap(api.GET('/runs/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => refetchIntervalOf(query.state.data),
  });
  const [downloadError, setDownloadError] = useState<string>();
  const destinations = useDestinations();

  async function downloadRejected() {
    setDownloadError(undefined);
    const { data, response } = await api.GET('/runs/{id}/rejected', { params: { path: { id } }, parseAs: 'blob' });
    if (!response.ok || !data) return setDownloadError(`The report could not be read (HTTP ${response.status}).`);
    const url = URL.createObjectURL(data as Blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `rejected-rows-${id}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  if (run.isPending) return <Spinner label="Loading the run" />;
  if (run.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{(run.error as Error).message}</MessageBarBody>
      </MessageBar>
    );
  const r = run.data;
  const progress = progressOf(r);
  const finished = TERMINAL_STATUSES.has(r.status);
  return (
    <>
      <PageHeading>Run</PageHeading>
      <div className={styles.facts}>
        <Text weight="semibold">Status</Text>
        <span>
          <RunStatusBadge status={r.status} /> {r.reason ?? ''}
        </span>
        <Text weight="semibold">Trigger</Text>
        <Text>{r.trigger}</Text>
        <Text weight="semibold">Destination</Text>
        <Text>{destinations.data?.find((d) => d.type === r.destinationType)?.displayName ?? r.destinationType}</Text>
        {r.full ? (
          <>
            <Text weight="semibold">Sync</Text>
            <Text>Full sync requested: the audience is made exactly equal to the segment</Text>
          </>
        ) : null}
        <Text weight="semibold">Started</Text>
        <Text>{formatTime(r.startedAt)}</Text>
        <Text weight="semibold">Duration</Text>
        <Text>{finished ? formatDuration(r.durationMs) : 'still running'}</Text>
        <Text weight="semibold">Export</Text>
        <a href={`#/exports/${r.exportId}/runs`}>Run history of this export</a>
      </div>
      <Field label="Progress" validationMessage={progress.text} validationState="none">
        <ProgressBar value={progress.value} max={1} thickness="large" aria-valuetext={progress.text} />
      </Field>
      <section className={styles.section} aria-labelledby="counts-heading">
        <Text as="h2" id="counts-heading" size={500} weight="semibold" block>
          Counts per segment
        </Text>
        <Table aria-label="Counts per segment">
          <TableHeader>
            <TableRow>
              {['Segment', 'Status', 'Read', 'Valid', 'Invalid', 'Duplicate', 'Suppressed', 'Unchanged', 'Skipped', 'Sent', 'Accepted', 'Rejected', 'Reason'].map((h) => (
                <TableHeaderCell key={h}>{h}</TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {r.segments.map((s) => (
              <TableRow key={s.segment}>
                <TableCell>{s.segment}</TableCell>
                <TableCell>
                  <RunStatusBadge status={s.status} />
                </TableCell>
                {[s.read, s.valid, s.invalid, s.duplicate, s.suppressed, s.unchanged, s.skipped, s.sent, s.accepted, s.rejected].map((n, i) => (
                  <TableCell key={i}>{formatCount(n)}</TableCell>
                ))}
                <TableCell>{s.reason ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <Text size={200} block>
          Read = valid + invalid + duplicate + suppressed. Valid = unchanged (the audience holds them already) + skipped + sent. Sent = accepted + rejected.
        </Text>
      </section>
      {r.segments.some((s) => s.sync) ? (
        <section className={styles.section} aria-labelledby="sync-heading">
          <Text as="h2" id="sync-heading" size={500} weight="semibold" block>
            Audience changes
          </Text>
          <p>What the run changed at each audience to make it follow its segment. Tracked: the members the app knows each audience holds, and the removals it still owes; tracked after = tracked before + added − removed.</p>
          <SyncCountsTable segments={r.segments} runFull={r.full === true} />
        </section>
      ) : null}
      <section className={styles.section} aria-labelledby="processing-heading">
        <Text as="h2" id="processing-heading" size={500} weight="semibold" block>
          At the destination
        </Text>
        <RunAudienceStates run={r} finished={finished} />
      </section>
      <RunRequests segments={r.segments} />
      <section className={styles.section} aria-labelledby="report-heading">
        <Text as="h2" id="report-heading" size={500} weight="semibold" block>
          Rejected rows
        </Text>
        <p>Every row that was not delivered, with its reason: invalid or duplicate addresses, rows over a limit, rows the destination refused.</p>
        <Button onClick={() => void downloadRejected()} disabled={!finished}>
          Download rejected rows (CSV)
        </Button>
        {downloadError ? (
          <MessageBar intent="error">
            <MessageBarBody>{downloadError}</MessageBarBody>
          </MessageBar>
        ) : null}
      </section>
    </>
  );
}
