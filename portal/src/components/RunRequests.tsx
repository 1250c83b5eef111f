import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { DestinationRequests, SegmentRun } from '../api/types.js';
import { CountList } from './CountList.js';
import { formatCount, formatTime } from './format.js';
import { matchRateRangesText, matchRateRangeText, operationLabels, requests, requestStateColors, requestStateLabels } from './request-labels.js';
import { Section } from './Section.js';

/** Up to this many requests the table is open; more and it waits to be asked for, so the page stays short. */
export const OPEN_UP_TO = 10;

const useStyles = makeStyles({
  id: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-all' },
  serviceState: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

/** How far the destination has got: the requests still processing against those with a final outcome. */
export function progressText(r: DestinationRequests): string {
  const final = r.total - r.processing;
  if (r.total === 0) return 'No requests.';
  if (r.processing === 0) return r.total === 1 ? 'The request is final.' : `All ${requests(r.total)} are final.`;
  return `${formatCount(r.processing)} of ${requests(r.total)} still processing, ${formatCount(final)} final.`;
}

function RequestsTable({ segment, r }: { segment: string; r: DestinationRequests }) {
  const styles = useStyles();
  return (
    <Table aria-label={`Requests of ${segment}`} size="small">
      <TableHeader>
        <TableRow>
          {['Request', 'Operation', 'Members', 'State', 'Match rate'].map((h) => (
            <TableHeaderCell key={h}>{h}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {r.items.map((item) => (
          <TableRow key={item.requestId}>
            <TableCell className={styles.id}>{item.requestId}</TableCell>
            <TableCell>{operationLabels[item.operation]}</TableCell>
            <TableCell>{formatCount(item.members)}</TableCell>
            <TableCell>
              <Badge appearance="tint" color={requestStateColors[item.state]}>
                {requestStateLabels[item.state]}
              </Badge>
              {/* The destination's own word for it, for anyone taking it up with the destination. */}
              {item.serviceState ? <span className={styles.serviceState}> {item.serviceState}</span> : null}
            </TableCell>
            <TableCell>{item.matchRateRange ? matchRateRangeText(item.matchRateRange) : item.state === 'processing' ? 'not yet' : 'not reported'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function SegmentRequests({ segment, r }: { segment: string; r: DestinationRequests }) {
  const ranges = matchRateRangesText(r.matchRateRanges);
  const listed = r.items.length < r.total ? `the first ${formatCount(r.items.length)} of ${formatCount(r.total)}` : formatCount(r.total);
  return (
    <Section title={segment} level={3}>
      <Text>
        {progressText(r)} Last checked {formatTime(r.checkedAt)}.
      </Text>
      <CountList
        counts={[
          ['Still processing', r.processing],
          ['Succeeded', r.succeeded],
          ['Partially succeeded', r.partiallySucceeded],
          ['Failed', r.failed],
          ['Members returned for the next run', r.returned],
        ]}
      />
      <Text>Match rate: {ranges === '' ? 'none reported yet' : ranges}.</Text>
      {r.items.length > 0 ? (
        <Accordion collapsible defaultOpenItems={r.items.length <= OPEN_UP_TO ? ['requests'] : []}>
          <AccordionItem value="requests">
            <AccordionHeader>{`Requests (${listed})`}</AccordionHeader>
            <AccordionPanel>
              <RequestsTable segment={segment} r={r} />
            </AccordionPanel>
          </AccordionItem>
        </Accordion>
      ) : null}
    </Section>
  );
}

/**
 * Where the destination accepts member requests and processes them later, what became of the
 * requests the run sent, per segment, as the app last checked them: how many are still
 * processing, their outcomes, the members failed requests returned, and the match-rate
 * ranges the destination reported, all labelled by what the record says. Shows nothing for
 * a run whose destination processes what it receives at once.
 */
export function RunRequests({ segments }: { segments: SegmentRun[] }) {
  const withRequests = segments.filter((s): s is SegmentRun & { requests: DestinationRequests } => s.requests !== undefined);
  if (withRequests.length === 0) return null;
  return (
    <Section title="Requests at the destination">
      <Text>
        The destination accepted these requests and processes them later; the app asks after each until it is final. A failed request, or one with no
        final status within 72 hours, returns its members: the next run sends them again.
      </Text>
      {withRequests.map((s) => (
        <SegmentRequests key={s.segment} segment={s.segment} r={s.requests} />
      ))}
    </Section>
  );
}
