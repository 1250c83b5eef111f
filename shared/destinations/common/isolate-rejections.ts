import { DestinationError, type ProfileRecord, type RecordRejection, type UploadResult } from '../types.js';

/**
 * For services that refuse a whole batch (400) for one bad record and do not say which:
 * split the batch in halves until the records at fault stand alone, deliver the rest and
 * report the culprits with the service's reason. A refusal of every single record is not a
 * record problem (wrong list, bad request shape), so it is raised as the original error.
 */
export async function sendIsolatingRejections(
  records: ProfileRecord[],
  send: (batch: ProfileRecord[]) => Promise<void>,
): Promise<UploadResult> {
  const rejected: RecordRejection[] = [];
  let first: DestinationError | undefined;

  const attempt = async (batch: ProfileRecord[]): Promise<void> => {
    if (batch.length === 0) return;
    try {
      await send(batch);
    } catch (error) {
      if (!(error instanceof DestinationError) || error.code !== 'invalid-request') throw error;
      first ??= error;
      if (batch.length === 1) {
        rejected.push({ row: batch[0]!.row, reason: `destination-rejected: ${error.message}`, value: batch[0]!.email });
        return;
      }
      const middle = Math.ceil(batch.length / 2);
      await attempt(batch.slice(0, middle));
      await attempt(batch.slice(middle));
    }
  };

  await attempt(records);
  if (first && records.length > 1 && rejected.length === records.length) throw first;
  return { accepted: records.length - rejected.length, rejected };
}
