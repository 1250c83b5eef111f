import { z } from 'zod';
import { emailOf } from '../common/identifiers.js';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient, field, withoutUndefined, type FailureReading } from '../common/http.js';
import { OAuthFlow, refreshTokenCredentials } from '../common/oauth-flow.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  DestinationError,
  type AudienceDescription,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type RecordRejection,
  type UploadResult,
} from '../types.js';
import {
  crmSegmentDurationDays,
  crmSegmentMinimumEmails,
  nextRollLimits,
  nextRollRequestsPerSecond,
  type nextRollCredentials,
  type nextRollSettings,
} from './definition.js';

/**
 * A brand of the NextRoll platform (AdRoll, RollWorks): the same API under another name,
 * with its own OAuth application and API host. `type` is its registry key, which also
 * keys its endpoints in the app's configuration.
 */
export interface NextRollBrand {
  type: 'adroll' | 'rollworks';
  displayName: string;
  /** The app setting that holds the brand's OAuth client id, named when it is missing. */
  clientIdSetting: string;
}

type Credentials = z.infer<typeof nextRollCredentials>;
type Settings = z.infer<typeof nextRollSettings>;

const segmentSummary = z.object({ segment_id: z.string(), name: z.string().nullish(), emails: z.number().nullish() }).passthrough();
const segmentsResponse = z.object({ segments: z.array(segmentSummary).nullish() }).passthrough();
const segmentResult = z.object({ result: z.string().optional(), segment: segmentSummary }).passthrough();
const advertisersResponse = z.object({ data: z.array(z.object({ advertiser_id: z.string() }).passthrough()) });

/** Creating a segment may have gone through when the connection broke: look before creating again. */
const CREATE_ATTEMPTS = 3;
/** How long one listing of the segments answers describeAudience. */
const LISTING_REUSE_MS = 10_000;

/** NextRoll errors: `{ "errors": [{ "message", "code" | "field" }] }`. */
function readFailure(_status: number, body: unknown): FailureReading {
  const errors = field(body, 'errors');
  if (Array.isArray(errors) && errors.length > 0) {
    return {
      message: errors
        .map((error) => {
          const e = (error ?? {}) as Record<string, unknown>;
          const where = e.field ?? e.code;
          return `${typeof where === 'string' ? `${where}: ` : ''}${String(e.message ?? '')}`;
        })
        .join('; '),
    };
  }
  const message = field(body, 'message') ?? field(body, 'error');
  return { message: typeof message === 'string' ? message : typeof body === 'string' ? body.slice(0, 200) : 'request refused' };
}

export const nextRollRecord = (profile: ProfileRecord) => ({ email: emailOf(profile) });

/**
 * NextRoll Audience API client (AdRoll and RollWorks): CRM segments found by name or created
 * with their first members, then updated with whole-segment requests. Every request carries
 * the application's client id as `apikey`.
 */
export function connectNextRoll(brand: NextRollBrand, context: ConnectorContext<Credentials, Settings>): DestinationClient {
  const service = brand.displayName;
  const endpoints = context.endpoints[brand.type];
  if (!endpoints.clientId) {
    throw new DestinationError('auth-failed', `${service}: the app setting ${brand.clientIdSetting} (the application's client id) is not set`, false);
  }
  const key = connectionKey(brand.type, endpoints.apiUrl, context.connectionId);
  const { personalAccessToken } = context.credentials;

  const api: ServiceClient = new ServiceClient({
    service,
    baseUrl: endpoints.apiUrl,
    limiter: sharedLimiter(key, context.http?.requestsPerSecond ?? nextRollRequestsPerSecond),
    // A request carries up to a whole segment (about 10 MB for 250,000 emails): allow it time.
    http: { timeoutMs: 120_000, ...withoutUndefined(context.http ?? {}) },
    log: context.log,
    authorize: async () => ({
      headers: { Authorization: personalAccessToken ? `Token ${personalAccessToken}` : `Bearer ${await oauth!.accessToken()}` },
      query: { apikey: endpoints.clientId },
    }),
    onUnauthorized: async () => (oauth ? oauth.unauthorized() : false),
    readFailure,
  });

  const oauth = personalAccessToken
    ? undefined
    : new OAuthFlow<Credentials>({
        key,
        service,
        client: api,
        tokenUrl: `${endpoints.apiUrl.replace(/\/+$/, '')}/auth/token`,
        grantForm: (refreshToken) => ({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: endpoints.clientId,
          client_secret: endpoints.clientSecret,
        }),
        ...refreshTokenCredentials(context),
      });

  const requireSettings = (): Settings => {
    if (!context.settings) throw new DestinationError('invalid-request', `${service}: an advertiserId is required to manage audiences`, false);
    return context.settings;
  };

  const findSegment = async (name: string): Promise<string | undefined> => {
    const { advertiserId } = requireSettings();
    const { body } = await api.send({
      method: 'GET',
      path: '/audience/v1/segments',
      query: { advertiser_id: advertiserId, type: 'crm' },
    });
    return segmentsResponse.parse(body).segments?.find((segment) => segment.name === name)?.segment_id;
  };

  /**
   * The advertiser's CRM segments with their sizes, shared for a few seconds: describing an
   * export's segments one after another costs one request, not one each (the daily quota is
   * 100 requests per service by default).
   */
  let listing: { at: number; segments: Promise<z.infer<typeof segmentSummary>[]> } | undefined;
  const listSegments = () => {
    if (!listing || performance.now() - listing.at > LISTING_REUSE_MS) {
      const { advertiserId } = requireSettings();
      const segments = api
        .send({ method: 'GET', path: '/audience/v1/segments', query: { advertiser_id: advertiserId, type: 'crm' } })
        .then(({ body }) => segmentsResponse.parse(body).segments ?? []);
      segments.catch(() => (listing = undefined));
      listing = { at: performance.now(), segments };
    }
    return listing.segments;
  };

  const createSegment = async (name: string, members: ProfileRecord[]): Promise<string | undefined> => {
    const { advertiserId } = requireSettings();
    for (let attempt = 1; ; attempt++) {
      try {
        const { body } = await api.send({
          method: 'POST',
          path: '/audience/v1/segments',
          json: { advertiser_id: advertiserId, name, type: 'crm', duration: crmSegmentDurationDays, data: members.map(nextRollRecord) },
          once: true,
        });
        return segmentResult.parse(body).segment.segment_id;
      } catch (error) {
        if (!(error instanceof DestinationError && error.retryable) || attempt >= CREATE_ATTEMPTS) throw error;
        context.log?.warn(`${service}: creating segment failed (${error.message}); checking whether it exists before trying again`);
        const existing = await findSegment(name);
        if (existing) return existing;
      }
    }
  };

  return {
    async testConnection() {
      const { body } = await api.send({ method: 'GET', path: '/audience/v1/advertisers' });
      const advertiserId = context.settings?.advertiserId;
      if (advertiserId && !advertisersResponse.parse(body).data.some((advertiser) => advertiser.advertiser_id === advertiserId)) {
        throw new DestinationError('not-found', `${service}: advertiser ${advertiserId} is not accessible with these credentials`, false);
      }
    },

    async ensureAudience(name, initialMembers): Promise<EnsuredAudience> {
      const existing = await findSegment(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };
      assertBatchSize(service, initialMembers.length, nextRollLimits.batchSize);
      const unique = new Set(initialMembers.map((member) => member.email)).size;
      if (unique < crmSegmentMinimumEmails) {
        throw new DestinationError(
          'invalid-request',
          `${service} creates a CRM segment only with at least ${crmSegmentMinimumEmails} unique emails; got ${unique}`,
          false,
        );
      }
      const audienceId = await createSegment(name, initialMembers);
      if (!audienceId) throw new DestinationError('destination-error', `${service}: segment ${name} was neither created nor found`);
      return {
        audienceId,
        created: true,
        membersIncluded: true,
        initialResult: { accepted: initialMembers.length, rejected: [] },
      };
    },

    async uploadBatch(segmentId, records): Promise<UploadResult> {
      assertBatchSize(service, records.length, nextRollLimits.batchSize);
      if (records.length === 0) return { accepted: 0, rejected: [] };
      // NextRoll refuses the whole request for one bad record but names it (`data.3.email`):
      // that record is reported and the rest sent again whole, which a replace needs.
      const rejected: RecordRejection[] = [];
      let sending = records;
      let body: unknown;
      for (;;) {
        if (sending.length === 0) return { accepted: 0, rejected };
        try {
          ({ body } = await api.send({
            method: 'POST',
            path: `/audience/v1/segments/${encodeURIComponent(segmentId)}`,
            json: { data: sending.map(nextRollRecord) },
          }));
          break;
        } catch (error) {
          const at = error instanceof DestinationError && error.code === 'invalid-request' ? /\bdata\.(\d+)\./.exec(error.message) : null;
          const culprit = at ? sending[Number(at[1])] : undefined;
          if (!culprit || sending.length === 1) throw error;
          rejected.push({ row: culprit.row, reason: `destination-rejected: ${(error as Error).message}`, value: culprit.email });
          sending = sending.filter((record) => record !== culprit);
        }
      }
      const emails = segmentResult.safeParse(body).data?.segment.emails;
      const unique = new Set(records.map((record) => record.email)).size;
      if (context.settings?.segmentUpdates === 'replace' && typeof emails === 'number' && emails > unique) {
        context.log?.warn(
          `${service}: segment ${segmentId} holds ${emails} emails after a replace of ${unique}; the service appended (set segmentUpdates to append)`,
        );
      }
      return { accepted: sending.length, rejected };
    },

    async describeAudience(segmentId): Promise<AudienceDescription> {
      // A segment's `emails` is how many emails it holds; NextRoll reports no processing state.
      const segment = (await listSegments()).find((candidate) => candidate.segment_id === segmentId);
      if (!segment) throw new DestinationError('not-found', `${service}: segment ${segmentId} was not found`, false, 404);
      const emails = segment.emails ?? null;
      return {
        sizes: { emails },
        size: emails,
        counts: 'members',
        estimate: false,
        state: 'not-reported',
        ...(emails === null ? { detail: 'the segment carried no email count' } : {}),
      };
    },

    async removeMembers(): Promise<never> {
      const mode = context.settings?.segmentUpdates ?? 'append';
      throw new DestinationError(
        'invalid-request',
        mode === 'replace'
          ? `${service} has no per-member removal: upload the segment's current membership, which replaces the old one`
          : `${service} has no per-member removal; members leave when their ${crmSegmentDurationDays}-day duration ends`,
        false,
      );
    },
  };
}
