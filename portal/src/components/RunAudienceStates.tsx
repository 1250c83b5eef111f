import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { ExportAudience, Run } from '../api/types.js';
import { matchRateText, sizeText } from './audience-labels.js';
import { AudienceStateBadge } from './AudienceStateBadge.js';
import { formatCount, formatTime } from './format.js';

/**
 * A reading describes what the run sent when the run took it (at its end, its sends done,
 * just before its record was final) or when it was taken after the run ended; an older one does not.
 */
const readSince = (audience: ExportAudience | undefined, run: Run) => {
  const latest = audience?.latest;
  if (!latest) return undefined;
  if (latest.lastRun?.runId === run.id) return latest;
  return run.finishedAt && Date.parse(latest.readAt) >= Date.parse(run.finishedAt) ? latest : undefined;
};

/**
 * What the destination made of what the run sent: per segment the run sent to, the state of
 * the audience in its latest reading taken since the run ended (processing, ready, too small
 * to serve, failed), with the reported size and match rate. Asks again every 10 s while a
 * segment has no such reading, since the after-run reading or the timer's comes a little later.
 */
export function RunAudienceStates({ run, finished }: { run: Run; finished: boolean }) {
  const sentTo = run.segments.filter((s) => s.sync || s.sent > 0);
  const audiences = useQuery({
    queryKey: keys.audiences(run.exportId),
    queryFn: () => unwrap(api.GET('/exports/{id}/audiences', { params: { path: { id: run.exportId } } })).then((r) => r.audiences),
    enabled: finished && sentTo.length > 0,
    refetchInterval: (query) => {
      const latest = query.state.data;
      return latest && sentTo.every((s) => readSince(latest.find((a) => a.segment === s.segment), run)) ? false : 10_000;
    },
  });
  if (sentTo.length === 0) return <p>The run sent nothing, so there is nothing for the destination to process.</p>;
  if (!finished) return <p>The destination is asked about each audience once the run has ended.</p>;
  return (
    <>
      <Table aria-label="Processing at the destination per segment">
        <TableHeader>
          <TableRow>
            {['Segment', 'State', 'Reported size', 'Match rate', 'Read at'].map((h) => (
              <TableHeaderCell key={h}>{h}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {sentTo.map((s) => {
            const reading = readSince(audiences.data?.find((a) => a.segment === s.segment), run);
            return (
              <TableRow key={s.segment}>
                <TableCell>{s.segment}</TableCell>
                {reading ? (
                  <>
                    <TableCell>
                      <AudienceStateBadge state={reading.state} /> {reading.detail ?? ''}
                    </TableCell>
                    <TableCell>{reading.reported ? sizeText(reading.reported.size) : 'not reported'}</TableCell>
                    <TableCell>{matchRateText(reading)}</TableCell>
                    <TableCell>{formatTime(reading.readAt)}</TableCell>
                  </>
                ) : (
                  <TableCell colSpan={4}>{audiences.isPending ? 'Loading…' : 'Not read since the run ended yet: the destination is asked within a few hours.'}</TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <Text size={200} block>
        From the latest reading of each audience since the run ended (tracked {formatCount(sentTo.reduce((n, s) => n + (s.sync?.ledgerAfter ?? 0), 0))} members in all after it).
        The export page&apos;s Audiences panel has the history.
      </Text>
    </>
  );
}
