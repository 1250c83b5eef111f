import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient, type ApiRequest } from '../common/http.js';
import { OAuthFlow, refreshTokenCredentials } from '../common/oauth-flow.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  DestinationError,
  type AudienceDescription,
  type AudienceState,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type RecordRejection,
  type RemovalResult,
  type UploadResult,
} from '../types.js';
import { defaultLinkedinVersion, linkedinLimits, linkedinRequestsPerSecond, linkedinServesFrom, type linkedinCredentials, type linkedinSettings } from './definition.js';
import { messageOf, readLinkedinFailure } from './errors.js';
import { addElement, removeElement, type LinkedinUserElement } from './identifiers.js';

type Credentials = z.infer<typeof linkedinCredentials>;
type Settings = z.infer<typeof linkedinSettings>;

const segmentSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    name: z.string().optional(),
    sourceSegmentId: z.string().optional(),
    status: z.string().optional(),
    audienceSize: z.number().nullish(),
    matchedCount: z.number().nullish(),
  })
  .passthrough();
const segmentsPage = z.object({
  elements: z.array(segmentSchema),
  paging: z.object({ start: z.number().optional(), count: z.number().optional(), total: z.number().optional() }).partial().optional(),
});
/** Each element of a BATCH_CREATE answers its own status, in the order sent. */
const batchResponse = z.object({
  elements: z.array(z.object({ status: z.number(), error: z.unknown().optional() }).passthrough()),
});

const PAGE_SIZE = 100;
/** A create whose answer was lost may have gone through: look up before creating again. */
const CREATE_ATTEMPTS = 3;

/** How LinkedIn's segment statuses read as the app's audience states. */
const STATES: Record<string, AudienceState> = {
  BUILDING: 'processing',
  UPDATING: 'processing',
  READY: 'ready',
  // Archived segments stay targetable (the team's contract).
  ARCHIVED: 'ready',
  EXPIRED: 'failed',
  FAILED: 'failed',
};

/**
 * LinkedIn Matched Audiences (api.linkedin.com/rest): one DMP segment of the export's ad
 * account per segment, found by its source segment id (the segment's name) or created; users
 * added and removed by the SHA-256 of their email through `BATCH_CREATE` on
 * `/dmpSegments/{id}/users`, where each element answers its own status. Every call carries
 * `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`.
 */
export function connectLinkedin(context: ConnectorContext<Credentials, Settings>): DestinationClient {
  const endpoints = context.endpoints.linkedin;
  if (!endpoints.clientId) throw new DestinationError('auth-failed', 'LinkedIn: the app setting LINKEDIN_CLIENT_ID is not set', false);
  const version = context.settings?.linkedinVersion ?? defaultLinkedinVersion;
  const key = connectionKey('linkedin', endpoints.apiUrl, context.connectionId);
  // 600 requests a minute per member: the connection's token is one member.
  const limiter = sharedLimiter(key, context.http?.requestsPerSecond ?? linkedinRequestsPerSecond);

  /** A client whose every call carries these headers besides the token and the protocol's. */
  const clientWith = (headers: Record<string, string>): ServiceClient =>
    new ServiceClient({
      service: 'LinkedIn',
      baseUrl: endpoints.apiUrl,
      limiter,
      http: context.http,
      log: context.log,
      authorize: async () => ({
        headers: { Authorization: `Bearer ${await oauth.accessToken()}`, 'LinkedIn-Version': version, 'X-Restli-Protocol-Version': '2.0.0', ...headers },
      }),
      onUnauthorized: () => oauth.unauthorized(),
      readFailure: readLinkedinFailure,
    });
  const api = clientWith({});
  // Rest.li names the method of a batch in a header: the users calls go through their own client.
  const batchApi = clientWith({ 'X-RestLi-Method': 'BATCH_CREATE' });

  const oauth: OAuthFlow<Credentials> = new OAuthFlow<Credentials>({
    key,
    service: 'LinkedIn',
    client: api,
    tokenUrl: endpoints.tokenUrl,
    grantForm: (refreshToken) => ({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: endpoints.clientId,
      ...(endpoints.clientSecret ? { client_secret: endpoints.clientSecret } : {}),
    }),
    ...refreshTokenCredentials(context),
  });

  const accountUrn = (): string => {
    const id = context.settings?.adAccountId;
    if (!id) throw new DestinationError('invalid-request', 'LinkedIn: the export names no ad account (adAccountId)', false);
    return `urn:li:sponsoredAccount:${id}`;
  };

  const findSegment = async (sourceSegmentId: string): Promise<string | undefined> => {
    for (let start = 0; ; start += PAGE_SIZE) {
      const { body } = await api.send({
        method: 'GET',
        path: '/dmpSegments',
        query: { q: 'account', account: accountUrn(), sourceSegmentId, sourcePlatform: endpoints.sourcePlatform, start: String(start), count: String(PAGE_SIZE) },
      });
      const page = segmentsPage.parse(body);
      const found = page.elements.find((segment) => segment.sourceSegmentId === sourceSegmentId);
      if (found) return found.id;
      const total = page.paging?.total;
      if (page.elements.length < PAGE_SIZE || (total !== undefined && start + PAGE_SIZE >= total)) return undefined;
    }
  };

  const createSegment = async (name: string): Promise<string> => {
    const { headers, body } = await api.send({
      method: 'POST',
      path: '/dmpSegments',
      json: {
        name,
        sourcePlatform: endpoints.sourcePlatform,
        sourceSegmentId: name,
        account: accountUrn(),
        accessPolicy: 'PRIVATE',
        type: 'USER',
        destinations: [{ destination: 'LINKEDIN' }],
      },
      once: true,
    });
    // The id comes in `x-restli-id` (201, no body); the Location header ends with it too.
    const id = headers.get('x-restli-id') ?? headers.get('location')?.split('/').at(-1) ?? (segmentSchema.safeParse(body).data?.id || undefined);
    if (!id) throw new DestinationError('destination-error', 'LinkedIn: the created DMP segment came without an id (x-restli-id)');
    return decodeURIComponent(id);
  };

  /** One BATCH_CREATE of users; the answer's statuses, one per element sent. */
  const sendUsers = async (segmentId: string, elements: LinkedinUserElement[]) => {
    assertBatchSize('LinkedIn', elements.length, linkedinLimits.batchSize);
    const request: ApiRequest = { method: 'POST', path: `/dmpSegments/${encodeURIComponent(segmentId)}/users`, json: { elements } };
    const { body } = await batchApi.send(request);
    const answered = batchResponse.parse(body).elements;
    if (answered.length !== elements.length) {
      throw new DestinationError('destination-error', `LinkedIn POST /dmpSegments/${segmentId}/users: ${answered.length} statuses for ${elements.length} elements`);
    }
    return answered.map((element) => (element.status >= 200 && element.status < 300 ? undefined : elementReason(element.status, element.error)));
  };

  return {
    async testConnection() {
      await oauth.accessToken();
      // With an export: the account's segments (the token must reach the account); without: the token alone.
      if (context.settings?.adAccountId) {
        await api.send({ method: 'GET', path: '/dmpSegments', query: { q: 'account', account: accountUrn(), start: '0', count: '1' } });
      }
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      const existing = await findSegment(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };
      for (let attempt = 1; ; attempt++) {
        try {
          return { audienceId: await createSegment(name), created: true, membersIncluded: false };
        } catch (error) {
          if (!(error instanceof DestinationError) || !(error.retryable || error.status === 409) || attempt >= CREATE_ATTEMPTS) throw error;
          const raced = await findSegment(name);
          if (raced) return { audienceId: raced, created: false, membersIncluded: false };
        }
      }
    },

    async uploadBatch(segmentId, records): Promise<UploadResult> {
      assertBatchSize('LinkedIn', records.length, linkedinLimits.batchSize);
      if (records.length === 0) return { accepted: 0, rejected: [] };
      const elements = records.map(addElement);
      const reasons = await sendUsers(segmentId, elements);
      const rejected: RecordRejection[] = [];
      reasons.forEach((reason, k) => {
        if (reason !== undefined) rejected.push({ row: records[k]!.row, reason: `destination-rejected: ${reason}`, ...(records[k]!.email ? { value: records[k]!.email } : {}) });
      });
      return { accepted: records.length - rejected.length, rejected, memberIds: elements.map((element) => element.userIds[0]!.idValue) };
    },

    async removeMembers(segmentId, memberIds): Promise<RemovalResult> {
      const failed: RemovalResult['failed'] = [];
      for (let start = 0; start < memberIds.length; start += linkedinLimits.batchSize) {
        const chunk = memberIds.slice(start, start + linkedinLimits.batchSize);
        const reasons = await sendUsers(segmentId, chunk.map(removeElement));
        reasons.forEach((reason, k) => {
          if (reason !== undefined) failed.push({ memberId: chunk[k]!, reason });
        });
      }
      return { removed: memberIds.length - failed.length, failed };
    },

    async describeAudience(segmentId): Promise<AudienceDescription> {
      const { body } = await api.send({ method: 'GET', path: `/dmpSegments/${encodeURIComponent(segmentId)}` });
      return describeSegment(body);
    },
  };
}

/** An element's failure in one line: its status and what its error says. */
function elementReason(status: number, error: unknown): string {
  const said = error === undefined ? '' : messageOf(error);
  return said && said !== '""' ? `${status} ${said}` : String(status);
}

/**
 * What LinkedIn says of a DMP segment: its status and `audienceSize` (the members it can
 * target: matched users, counted over everything sent; `matchedCount` covers the last 7 days
 * only and is kept beside it under its own name). A READY segment under 300 cannot serve.
 */
export function describeSegment(body: unknown): AudienceDescription {
  const segment = segmentSchema.parse(body);
  const status = segment.status ?? '';
  const audienceSize = segment.audienceSize ?? null;
  let state: AudienceState = STATES[status] ?? 'not-reported';
  let detail: string | undefined = status ? `status ${status}` : undefined;
  if (state === 'ready' && audienceSize !== null && audienceSize < linkedinServesFrom) {
    state = 'too-small-to-serve';
    detail = `status ${status}, ${audienceSize} matched members: LinkedIn serves an audience from ${linkedinServesFrom}`;
  }
  return {
    sizes: { audienceSize, matchedCount: segment.matchedCount ?? null },
    size: audienceSize,
    counts: 'matched',
    estimate: false,
    state,
    shownFrom: linkedinServesFrom,
    ...(detail ? { detail } : {}),
  };
}
