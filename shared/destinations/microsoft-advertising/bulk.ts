import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request as undiciRequest } from 'undici';
import { z } from 'zod';
import { field, type FailureReading, type ServiceClient } from '../common/http.js';
import { DestinationError, type BulkAction, type BulkItem, type BulkJobStatus, type BulkMembership } from '../types.js';
import { BULK_MAX_FILE_BYTES, BULK_MAX_ROWS, readBulkResult, writeBulkZip } from './bulk-file.js';

/**
 * Customer List members through the Bulk service (v13 REST): the upload file is written
 * to a temporary file as the items stream in (flat memory whatever the count, and a known
 * length for the upload), then BulkUploadUrl/Query gives a single-use URL, the zip goes to
 * it as multipart, and BulkUploadStatus/Query says when the job is done and where its
 * result file is. Same OAuth token, developer token and account headers as Campaign
 * Management; the same client-side rate limit (one customer's calls share it).
 */
export interface BulkOptions {
  api: ServiceClient;
  /** Base URL of the Bulk service (bulkApiUrl()). */
  baseUrl: string;
  accountId(): string;
  acceptTerms?: boolean;
  /** Where upload and result files are written while a call runs (default: the OS temp directory). */
  tempDir?: string;
}

/** Documented: error 4204 when the bulk quota is spent; resubmit after up to 15 minutes. */
const ERROR_BULK_QUOTA = 4204;
const BULK_QUOTA_WAIT_MS = 15 * 60_000;
/** The upload's time limit: 30 s plus a second a megabyte, so a 100 MB file over a slow link still fits. */
const uploadTimeoutMs = (bytes: number) => 30_000 + Math.ceil(bytes / 1_000_000) * 1_000;

const uploadUrlResponse = z.object({ RequestId: z.string().min(1), UploadUrl: z.string().url() });
const statusResponse = z.object({
  RequestStatus: z.string(),
  PercentComplete: z.coerce.number().nullish(),
  ResultFileUrl: z.string().nullish(),
  Errors: z.array(z.object({ Code: z.coerce.number().nullish(), ErrorCode: z.string().nullish(), Message: z.string().nullish() }).passthrough()).nullish(),
});

const PENDING = new Set(['PendingFileUpload', 'FileUploaded', 'InProgress']);
/** Statuses that no new upload of the same file would change. */
const FAILED_FOR_GOOD = new Set(['UploadFileRowCountExceeded', 'UploadFileFormatNotSupported']);

/**
 * The Bulk service lives on its own host (bulk.api...): MSADS_BULK_API_URL when set, else
 * derived from the Campaign Management URL, and that URL's origin when it is not a
 * Microsoft host (the simulator serves every service on one port).
 */
export function bulkApiUrl(campaignApiUrl: string, configured?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  const url = new URL(campaignApiUrl);
  if (url.hostname.startsWith('campaign.api.')) url.hostname = url.hostname.replace(/^campaign\.api\./, 'bulk.api.');
  return url.origin;
}

export function microsoftAdvertisingBulk(options: BulkOptions): BulkMembership {
  const { api } = options;
  const readFailure = bulkFailureReader();
  const temp = () => join(options.tempDir ?? tmpdir(), `msads-bulk-${randomUUID()}`);

  return {
    async start(audienceId: string, action: BulkAction, items: AsyncIterable<BulkItem>) {
      const path = `${temp()}.zip`;
      try {
        const file = await writeBulkZip(path, { audienceId, action, acceptTerms: options.acceptTerms }, items);
        if (file.rows > BULK_MAX_ROWS || file.bytes > BULK_MAX_FILE_BYTES) {
          throw new DestinationError(
            'invalid-request',
            `Microsoft Advertising Bulk: the upload file has ${file.rows} rows and ${file.bytes} bytes; at most ${BULK_MAX_ROWS} rows and ${BULK_MAX_FILE_BYTES} bytes`,
            false,
          );
        }
        // Asked for only once the file is ready: the URL is single-use and does not last.
        const { body } = await api.send({
          method: 'POST',
          path: '/Bulk/v13/BulkUploadUrl/Query',
          url: `${options.baseUrl}/Bulk/v13/BulkUploadUrl/Query`,
          json: { AccountId: options.accountId(), ResponseMode: 'ErrorsOnly' },
          readFailure,
        });
        const { RequestId, UploadUrl } = uploadUrlResponse.parse(body);
        const boundary = `----segment-export-${randomUUID()}`;
        const head = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.zip"\r\nContent-Type: application/zip\r\n\r\n`,
          'latin1',
        );
        const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
        await api.send({
          method: 'POST',
          path: '/Bulk/v13/FileUpload',
          url: UploadUrl,
          // The URL takes one upload: a failed attempt is the caller's to start over, with a new URL.
          once: true,
          timeoutMs: uploadTimeoutMs(file.bytes),
          upload: {
            contentType: `multipart/form-data; boundary=${boundary}`,
            length: head.length + file.bytes + tail.length,
            open: () =>
              Readable.from(
                (async function* () {
                  yield head;
                  for await (const chunk of createReadStream(path)) yield chunk as Buffer;
                  yield tail;
                })(),
              ),
          },
          readFailure,
        });
        return { jobId: RequestId, items: file.items };
      } finally {
        await rm(path, { force: true });
      }
    },

    async status(jobId: string): Promise<BulkJobStatus> {
      const { body } = await api.send({
        method: 'POST',
        path: '/Bulk/v13/BulkUploadStatus/Query',
        url: `${options.baseUrl}/Bulk/v13/BulkUploadStatus/Query`,
        json: { RequestId: jobId },
        readFailure,
      });
      const status = statusResponse.parse(body);
      const state = status.RequestStatus;
      const errors = (status.Errors ?? []).map((error) => `${error.Code ?? ''} ${error.ErrorCode ?? ''}: ${error.Message ?? ''}`.trim()).join('; ');
      if (PENDING.has(state)) return { state: 'pending' };
      if (state === 'Completed' || state === 'CompletedWithErrors') {
        if (!status.ResultFileUrl) {
          return state === 'Completed'
            ? { state: 'completed', errors: [] }
            : { state: 'failed', reason: `Microsoft Advertising Bulk: ${state} without a result file${errors ? `: ${errors}` : ''}`, retryable: true };
        }
        const result = await downloadResult(status.ResultFileUrl, `${temp()}.result`);
        if (result.listErrors.length > 0) {
          // The Customer List row itself failed (terms not accepted, no such audience): no item was applied.
          const reason = `Microsoft Advertising Bulk: the customer list was refused: ${result.listErrors.join('; ')}`;
          if (result.listErrors.some((error) => error.startsWith('8003'))) throw new DestinationError('terms-not-accepted', reason, false);
          return { state: 'failed', reason, retryable: false };
        }
        return { state: 'completed', errors: result.itemErrors };
      }
      const reason = `Microsoft Advertising Bulk: ${state}${errors ? `: ${errors}` : ''}`;
      return { state: 'failed', reason, retryable: !FAILED_FOR_GOOD.has(state) };
    },
  };
}

/**
 * The result file sits behind a URL that carries its own access (no headers). Written to a
 * temporary file and read from there: its rows are streamed, never held whole.
 */
async function downloadResult(url: string, path: string): Promise<Awaited<ReturnType<typeof readBulkResult>>> {
  try {
    let response;
    try {
      response = await undiciRequest(url, { method: 'GET', signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      throw new DestinationError('transient', `Microsoft Advertising Bulk: the result file could not be downloaded (${(error as Error).message})`);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump();
      throw new DestinationError('transient', `Microsoft Advertising Bulk: the result file answered ${response.statusCode}`, true, response.statusCode);
    }
    await pipeline(response.body, createWriteStream(path));
    return await readBulkResult(path);
  } finally {
    await rm(path, { force: true });
  }
}

/** Campaign Management's fault shapes, plus the bulk quota (4204), which asks for a long wait. */
function bulkFailureReader(): (status: number, body: unknown) => FailureReading {
  return (status, body) => {
    const errors = [field(body, 'Errors'), field(body, 'OperationErrors'), field(body, 'BatchErrors')].find(Array.isArray) as Array<Record<string, unknown>> | undefined;
    const message = errors?.length
      ? errors.map((error) => `${String(error.Code)} ${String(error.ErrorCode ?? '')}: ${String(error.Message ?? '')}`.trim()).join('; ')
      : typeof body === 'string'
        ? body.slice(0, 200)
        : JSON.stringify(body).slice(0, 200);
    const codes = new Set((errors ?? []).map((error) => Number(error.Code)));
    if (codes.has(ERROR_BULK_QUOTA)) return { message, code: 'rate-limited', retryAfterMs: BULK_QUOTA_WAIT_MS };
    if (codes.has(117)) return { message, code: 'rate-limited', retryAfterMs: 60_000 };
    if (codes.has(8003)) return { message, code: 'terms-not-accepted' };
    return { message };
  };
}
