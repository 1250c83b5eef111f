/**
 * The development credentials the local simulators accept. They are not secrets: they open
 * nothing but the simulators on this machine. Anything else gets the service's 401.
 *
 * App settings (what `startSimulators().env` sets): the OAuth client ids and secrets and the
 * Microsoft Advertising developer token. Connection credentials (what a connection is created
 * with): the refresh tokens, the personal access token and the Autopilot API key. Export
 * settings: the advertiser ids, the customer and account ids.
 */
export const devCredentials = {
  adroll: {
    clientId: 'dev-adroll-client-id',
    clientSecret: 'dev-adroll-client-secret',
    /** A seed grant: accepted every time. The refresh tokens it rotates into are single-use, as NextRoll's are. */
    refreshToken: 'dev-adroll-refresh-token',
    personalAccessToken: 'dev-adroll-personal-access-token',
    advertiserId: 'DEVADROLLADV01',
  },
  rollworks: {
    clientId: 'dev-rollworks-client-id',
    clientSecret: 'dev-rollworks-client-secret',
    refreshToken: 'dev-rollworks-refresh-token',
    personalAccessToken: 'dev-rollworks-personal-access-token',
    advertiserId: 'DEVROLLWORKSADV01',
  },
  microsoftAdvertising: {
    clientId: 'dev-msads-client-id',
    clientSecret: 'dev-msads-client-secret',
    refreshToken: 'dev-msads-refresh-token',
    developerToken: 'dev-msads-developer-token',
    customerId: '1000001',
    accountId: '2000001',
  },
  autopilot: {
    apiKey: 'dev-autopilot-api-key',
  },
  googleAds: {
    clientId: 'dev-google-ads-client-id',
    clientSecret: 'dev-google-ads-client-secret',
    refreshToken: 'dev-google-ads-refresh-token',
    customerId: '1234567890',
    loginCustomerId: '1112223333',
  },
  meta: {
    accessToken: 'dev-meta-system-user-token',
    adAccountId: 'act_3000001',
  },
  ortto: {
    apiKey: 'dev-ortto-api-key',
  },
  linkedin: {
    clientId: 'dev-linkedin-client-id',
    clientSecret: 'dev-linkedin-client-secret',
    refreshToken: 'dev-linkedin-refresh-token',
    adAccountId: '5000001',
  },
} as const;

type SimulatedDestination = 'adroll' | 'rollworks' | 'microsoft-advertising' | 'autopilot' | 'google-ads' | 'meta' | 'linkedin' | 'ortto';

/** What a connection to each simulator is created with, and the settings its exports need. */
export const devConnections: Record<SimulatedDestination, { credentials: Record<string, string>; settings: Record<string, string> }> = {
  adroll: { credentials: { refreshToken: devCredentials.adroll.refreshToken }, settings: { advertiserId: devCredentials.adroll.advertiserId } },
  rollworks: {
    credentials: { personalAccessToken: devCredentials.rollworks.personalAccessToken },
    settings: { advertiserId: devCredentials.rollworks.advertiserId },
  },
  'microsoft-advertising': {
    credentials: { refreshToken: devCredentials.microsoftAdvertising.refreshToken },
    settings: { customerId: devCredentials.microsoftAdvertising.customerId, accountId: devCredentials.microsoftAdvertising.accountId },
  },
  autopilot: { credentials: { apiKey: devCredentials.autopilot.apiKey }, settings: {} },
  'google-ads': {
    credentials: { refreshToken: devCredentials.googleAds.refreshToken, customerId: devCredentials.googleAds.customerId },
    settings: { adUserData: 'granted', adPersonalization: 'granted' },
  },
  meta: {
    credentials: { accessToken: devCredentials.meta.accessToken },
    settings: { adAccountId: devCredentials.meta.adAccountId, customerFileSource: 'USER_PROVIDED_ONLY' },
  },
  // No region: the default (ap3); ORTTO_API_URL points every region at the simulator.
  ortto: { credentials: { apiKey: devCredentials.ortto.apiKey }, settings: {} },
  linkedin: { credentials: { refreshToken: devCredentials.linkedin.refreshToken }, settings: { adAccountId: devCredentials.linkedin.adAccountId } },
};
