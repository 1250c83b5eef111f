import { randomBytes } from 'node:crypto';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { asRecord, json, type SimRequest, type SimResponse, type SimRoute } from '../common/server.js';

/**
 * The Bulk service's upload flow for Customer Lists, as the connector uses it:
 * BulkUploadUrl/Query hands out a single-use upload URL and a request id; the URL takes one
 * multipart POST of a zip holding exactly one CSV (UTF-8 with a BOM, the bulk header, a
 * Format Version row, one Customer List row, Customer List Item rows); BulkUploadStatus/Query
 * says PendingFileUpload, then InProgress for `processingMs`, then Completed or
 * CompletedWithErrors with a result file (errors only) at a URL that needs no headers.
 * The job changes the same audiences the Apply route does, when it completes.
 */
export interface BulkLimits {
  /** How long an uploaded job stays InProgress. */
  processingMs: number;
  /** Rows of the CSV (header excluded) past which the job ends as UploadFileRowCountExceeded. */
  maxRows: number;
  /** Bytes of the zip past which the upload is refused. */
  maxFileBytes: number;
}

export const msadsBulkDefaults: BulkLimits = { processingMs: 200, maxRows: 4_000_000, maxFileBytes: 100 * 1024 * 1024 };

const REQUIRED_COLUMNS = ['Type', 'Status', 'Id', 'Parent Id', 'Client Id', 'Modified Time', 'Name', 'Description', 'Scope', 'Audience', 'Action Type', 'Sub Type', 'Text'];
const RESULT_COLUMNS = [...REQUIRED_COLUMNS, 'Error', 'Error Number'];
const SHA256_HEX = /^[0-9a-f]{64}$/;

interface Fault {
  Code: number;
  ErrorCode: string;
  Message: string;
}

interface Planned {
  audienceId: string;
  action: 'Add' | 'Remove' | 'Replace';
  accept?: boolean;
  valid: string[];
  /** The Client Id of each valid item, for the result row should the service refuse it later. */
  validClientIds: string[];
  /** Result rows of refused items, by column name. */
  itemErrors: Record<string, string>[];
}

interface Job {
  id: string;
  token: string;
  accountId: string;
  status: 'PendingFileUpload' | 'InProgress' | 'Completed' | 'CompletedWithErrors' | 'Failed' | 'UploadFileRowCountExceeded';
  readyAt?: number;
  planned?: Planned;
  errors: Fault[];
  result?: Buffer;
}

/** What the bulk routes need of the rest of the simulator. */
export interface BulkDeps {
  accountId: string;
  audience(id: string): { ParentId: string; members: Set<string> } | undefined;
  terms: { accepted: boolean };
  refused: Set<string>;
  checkAccountHeaders(request: SimRequest): SimResponse | undefined;
  apiFault(code: number, errorCode: string, message: string): SimResponse;
}

export function bulkService(deps: BulkDeps) {
  const state = {
    jobs: new Map<string, Job>(),
    limits: { ...msadsBulkDefaults },
    /** The next N upload URL requests answer 4204 (bulk quota spent). */
    quotaRefusals: 0,
  };
  let nextId = 1;
  const origin = (request: SimRequest) => `http://${request.headers.host ?? '127.0.0.1'}`;
  const fail = (job: Job, status: Job['status'], code: number, errorCode: string, message: string): SimResponse => {
    job.status = status;
    job.errors.push({ Code: code, ErrorCode: errorCode, Message: message });
    return json(200, {});
  };

  const uploadUrl = (request: SimRequest): SimResponse => {
    const body = asRecord(request.body) ?? {};
    if (state.quotaRefusals > 0) {
      state.quotaRefusals--;
      return deps.apiFault(4204, 'BulkServiceNoMoreCallsPermittedForTheTimePeriod', 'You have exceeded the bulk upload quota; retry after up to 15 minutes.');
    }
    if (String(body.AccountId) !== deps.accountId) return deps.apiFault(106, 'UserIsNotAuthorized', 'AccountId must be the account in CustomerAccountId.');
    if (body.ResponseMode !== 'ErrorsOnly' && body.ResponseMode !== 'ErrorsAndResults') {
      return deps.apiFault(100, 'InvalidRequest', 'ResponseMode must be ErrorsOnly or ErrorsAndResults.');
    }
    const job: Job = { id: `sim-bulk-${nextId++}`, token: randomBytes(12).toString('hex'), accountId: deps.accountId, status: 'PendingFileUpload', errors: [] };
    state.jobs.set(job.id, job);
    return json(200, { RequestId: job.id, UploadUrl: `${origin(request)}/Bulk/v13/FileUpload/${job.token}` });
  };

  const upload = async (request: SimRequest): Promise<SimResponse> => {
    const job = [...state.jobs.values()].find((candidate) => candidate.token === request.params[0]);
    if (!job) return json(404, { Message: 'No upload is expected at this URL.' });
    if (job.status !== 'PendingFileUpload') return deps.apiFault(3220, 'BulkUploadUrlAlreadyUsed', 'The upload URL was used already; request a new one.');
    const body = request.body as Buffer;
    if (body.length > state.limits.maxFileBytes) {
      return fail(job, 'Failed', 3221, 'BulkFileTooLarge', `The upload file is over ${state.limits.maxFileBytes} bytes.`);
    }
    const file = multipartFile(body, String(request.headers['content-type'] ?? ''));
    if (!file) return deps.apiFault(100, 'InvalidRequest', 'The body must be multipart/form-data with one file.');
    let csv: Buffer;
    try {
      csv = await onlyCsv(file);
    } catch (error) {
      return fail(job, 'Failed', 3222, 'UploadFileFormatNotSupported', (error as Error).message);
    }
    const parsed = readUpload(csv, state.limits.maxRows);
    if ('status' in parsed) return fail(job, parsed.status, parsed.code, parsed.errorCode, parsed.message);
    job.planned = parsed;
    job.status = 'InProgress';
    job.readyAt = Date.now() + state.limits.processingMs;
    return json(200, {});
  };

  /** Applies the job when its time has come: the audience changes only then, as the service's does. */
  const complete = async (job: Job): Promise<void> => {
    const planned = job.planned!;
    job.planned = undefined;
    const rows: Record<string, string>[] = [];
    const audience = deps.audience(planned.audienceId);
    if (planned.accept === true) deps.terms.accepted = true;
    if (planned.accept === false || !deps.terms.accepted) {
      rows.push({ Type: 'Customer List Error', Id: planned.audienceId, Error: 'CustomerListTermsAndConditionsNotAccepted', 'Error Number': '8003' });
    } else if (!audience || audience.ParentId !== job.accountId) {
      rows.push({ Type: 'Customer List Error', Id: planned.audienceId, Error: 'AudienceIdDoNotExist', 'Error Number': '1030' });
    } else {
      const valid = planned.valid.filter((hash, k) => {
        if (!deps.refused.has(hash)) return true;
        planned.itemErrors.push({ Type: 'Customer List Item Error', 'Parent Id': planned.audienceId, 'Client Id': planned.validClientIds[k]!, Text: hash, Error: 'CustomerListItemInvalid', 'Error Number': '8007' });
        return false;
      });
      if (planned.action === 'Replace') audience.members = new Set(valid);
      else for (const hash of valid) planned.action === 'Add' ? audience.members.add(hash) : audience.members.delete(hash);
      rows.push(...planned.itemErrors);
    }
    job.status = rows.length > 0 ? 'CompletedWithErrors' : 'Completed';
    job.result = await zipOf('result.csv', resultCsv(rows));
  };

  const status = async (request: SimRequest): Promise<SimResponse> => {
    const id = asRecord(request.body)?.RequestId;
    const job = typeof id === 'string' ? state.jobs.get(id) : undefined;
    if (!job) return deps.apiFault(3210, 'BulkServiceInvalidRequestId', 'The RequestId is not valid.');
    if (job.status === 'InProgress' && job.readyAt !== undefined && Date.now() >= job.readyAt) await complete(job);
    const done = job.status === 'Completed' || job.status === 'CompletedWithErrors';
    return json(200, {
      Errors: job.errors.length > 0 ? job.errors.map((error) => ({ ...error, Details: null, FieldPath: null, Type: 'OperationError' })) : null,
      ForwardCompatibilityMap: null,
      PercentComplete: done ? 100 : job.status === 'InProgress' ? 50 : 0,
      RequestStatus: job.status,
      ResultFileUrl: done ? `${origin(request)}/Bulk/v13/ResultFile/${job.id}` : null,
    });
  };

  const resultFile = (request: SimRequest): SimResponse => {
    const job = state.jobs.get(request.params[0] ?? '');
    return job?.result ? { status: 200, body: job.result, headers: { 'content-type': 'application/zip' } } : json(404, { Message: 'No such result file.' });
  };

  const routes: SimRoute[] = [
    { method: 'POST', path: /^\/Bulk\/v13\/BulkUploadUrl\/Query$/, handle: (request) => deps.checkAccountHeaders(request) ?? uploadUrl(request) },
    { method: 'POST', path: /^\/Bulk\/v13\/FileUpload\/([0-9a-f]+)$/, raw: true, handle: async (request) => deps.checkAccountHeaders(request) ?? upload(request) },
    { method: 'POST', path: /^\/Bulk\/v13\/BulkUploadStatus\/Query$/, handle: async (request) => deps.checkAccountHeaders(request) ?? status(request) },
    // A pre-signed download in the real service: no headers, outside the rate limit.
    { method: 'GET', path: /^\/Bulk\/v13\/ResultFile\/([^/]+)$/, public: true, handle: resultFile },
  ];

  return {
    state,
    routes,
    reset() {
      state.jobs.clear();
      state.limits = { ...msadsBulkDefaults };
      state.quotaRefusals = 0;
    },
    snapshot: () => [...state.jobs.values()].map((job) => ({ id: job.id, status: job.status })),
  };
}

/** The file part of a multipart/form-data body. */
function multipartFile(body: Buffer, contentType: string): Buffer | undefined {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const first = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', first);
  const closing = body.lastIndexOf(Buffer.from(`\r\n--${boundary}--`));
  if (first < 0 || headersEnd < 0 || closing < headersEnd) return undefined;
  const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd);
  if (next !== closing) return undefined; // more than one part
  if (!/filename=/i.test(body.toString('latin1', first, headersEnd))) return undefined;
  return body.subarray(headersEnd + 4, closing);
}

/** The one CSV in a zip: anything else (not a zip, no file, several) is refused. */
function onlyCsv(zip: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(new Error('The upload file is not a zip archive.'));
      if (file.entryCount !== 1) return reject(new Error(`The zip must hold exactly one CSV file; it holds ${file.entryCount}.`));
      file.once('entry', (entry: yauzl.Entry) => {
        if (!/\.csv$/i.test(entry.fileName)) return reject(new Error(`The zip must hold a .csv file, not ${entry.fileName}.`));
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('unreadable entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
          stream.on('error', reject);
        });
      });
      file.once('error', reject);
      file.readEntry();
    });
  });
}

type Refusal = { status: Job['status']; code: number; errorCode: string; message: string };

/** Checks the CSV's frame and sorts its items into valid hashes and refused rows. */
function readUpload(csv: Buffer, maxRows: number): Planned | Refusal {
  const refuse = (message: string, status: Job['status'] = 'Failed', code = 3222, errorCode = 'UploadFileFormatNotSupported'): Refusal => ({ status, code, errorCode, message });
  if (csv[0] !== 0xef || csv[1] !== 0xbb || csv[2] !== 0xbf) return refuse('The CSV must be UTF-8 with a byte-order mark.');
  const lines = csv.toString('utf8', 3).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0]?.split(',') ?? [];
  const missing = REQUIRED_COLUMNS.filter((name) => !header.includes(name));
  if (missing.length > 0) return refuse(`The header lacks ${missing.join(', ')}.`);
  if (lines.length - 1 > maxRows) return refuse(`The file has ${lines.length - 1} rows; at most ${maxRows}.`, 'UploadFileRowCountExceeded', 3223, 'UploadFileRowCountExceeded');
  const at = Object.fromEntries(header.map((name, index) => [name, index]));
  const cell = (fields: string[], name: string) => fields[at[name]!] ?? '';
  const format = lines[1]?.split(',') ?? [];
  if (cell(format, 'Type') !== 'Format Version' || cell(format, 'Name') !== '6.0') return refuse('The first row must be Format Version 6.0.');
  const list = lines[2]?.split(',') ?? [];
  const action = cell(list, 'Action Type');
  if (cell(list, 'Type') !== 'Customer List' || !cell(list, 'Id')) return refuse('The second row must be the Customer List with its Id.');
  if (action !== 'Add' && action !== 'Remove' && action !== 'Replace') return refuse('The Customer List Action Type must be Add, Remove or Replace.');
  const acceptCell = header.includes('Accept Customer Match Term') ? cell(list, 'Accept Customer Match Term') : '';
  const planned: Planned = {
    audienceId: cell(list, 'Id'),
    action,
    ...(acceptCell ? { accept: acceptCell.toLowerCase() === 'true' } : {}),
    valid: [],
    validClientIds: [],
    itemErrors: [],
  };
  for (let k = 3; k < lines.length; k++) {
    const fields = lines[k]!.split(',');
    const type = cell(fields, 'Type');
    if (type === 'Customer List') return refuse('A file holds one Customer List.');
    const text = cell(fields, 'Text');
    const problem =
      type !== 'Customer List Item'
        ? ['UnsupportedEntityType', '100']
        : cell(fields, 'Parent Id') !== planned.audienceId
          ? ['CustomerListItemParentIdInvalid', '8009']
          : cell(fields, 'Sub Type') !== 'Email'
            ? ['CustomerListItemSubTypeNotSupported', '8002']
            : text.includes('@')
              ? ['EmailMustBeHashed', '8004']
              : !SHA256_HEX.test(text)
                ? ['CustomerListItemInvalid', '8007']
                : undefined;
    if (problem) {
      planned.itemErrors.push({ Type: `${type || 'Unknown'} Error`, 'Parent Id': cell(fields, 'Parent Id'), 'Client Id': cell(fields, 'Client Id'), 'Sub Type': cell(fields, 'Sub Type'), Text: text, Error: problem[0]!, 'Error Number': problem[1]! });
    } else {
      planned.valid.push(text);
      planned.validClientIds.push(cell(fields, 'Client Id'));
    }
  }
  return planned;
}

function resultCsv(rows: Record<string, string>[]): Buffer {
  const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = [RESULT_COLUMNS.join(','), ['Format Version', '', '', '', '', '', '6.0'].concat(new Array(RESULT_COLUMNS.length - 7).fill('')).join(',')];
  for (const row of rows) lines.push(RESULT_COLUMNS.map((name) => field(row[name] ?? '')).join(','));
  return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
}

function zipOf(name: string, content: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(content, name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
