import { z } from 'zod';

/**
 * Every app setting the code reads, in one place. The infrastructure test checks that the
 * Bicep templates set exactly these names, so a setting added here without its Bicep twin
 * (or the reverse) fails CI instead of failing in Azure.
 *
 * `secret: true` settings must never be plain values in Azure: the Bicep sets them as
 * Key Vault references.
 * `host: true` settings are read by the Functions host or the Durable extension (not by
 * our code directly) but still have to be set.
 */
export interface AppSettingInfo {
  description: string;
  secret?: boolean;
  host?: boolean;
  /** Only meaningful on a developer's machine; never set in Azure. */
  localOnly?: boolean;
}

export const appSettings = {
  AzureWebJobsStorage: {
    description:
      'Connection string of the storage account (locally: Azurite). In Azure the identity-based form AzureWebJobsStorage__* is used instead.',
    localOnly: true,
  },
  AzureWebJobsStorage__blobServiceUri: { description: 'Blob endpoint for identity-based storage access.' },
  AzureWebJobsStorage__queueServiceUri: { description: 'Queue endpoint (Durable Functions task hub).' },
  AzureWebJobsStorage__tableServiceUri: { description: 'Table endpoint for configuration, run history and the task hub.' },
  AzureWebJobsStorage__credential: { description: '`managedidentity` in Azure.', host: true },
  AzureWebJobsStorage__clientId: { description: 'Client id of the user-assigned managed identity.' },
  FUNCTIONS_WORKER_RUNTIME: { description: '`node`.', host: true },
  APPLICATIONINSIGHTS_CONNECTION_STRING: {
    description: 'Application Insights connection string (the host, and the app\'s OpenTelemetry events; unset locally: events go to the console).',
    host: true,
  },
  DURABLE_TASK_HUB: { description: 'Durable Functions task hub name (host.json reads it).' },
  KEY_VAULT_URL: {
    description: 'Key Vault for connection secrets. When unset, secrets go to an AES-256-GCM encrypted table.',
  },
  SECRET_ENCRYPTION_KEY: {
    description: 'Base64 32-byte key for the encrypted secret table (development only; Key Vault in Azure).',
    secret: true,
    localOnly: true,
  },
  REFRESH_SCHEDULE: {
    description: 'NCRONTAB (six fields) of the scheduled refresh; PUT /api/schedule overrides it at run time.',
  },
  SEGMENTS_CONTAINER: { description: 'Blob container where segment files land (`segments`).' },
  WORK_CONTAINER: { description: 'Blob container for a run\'s work files (`work`).' },
  REPORTS_CONTAINER: { description: 'Blob container for rejected-rows reports (`reports`).' },
  LEDGERS_CONTAINER: { description: 'Blob container for the membership ledgers: what each audience holds (`ledgers`).' },
  MAX_UPLOADS_IN_FLIGHT: { description: 'Upload activities a run keeps in flight at once (default 8).' },
  SEND_WHILE_PREPARING: {
    description: 'A run that starts from nothing tracked sends work files while it prepares the rest, within the limits (`true`, default; `false`: send only once prepared).',
  },
  RETENTION_DAYS: { description: 'Days run records, rejected-rows reports and work files are kept (default 30).' },
  APP_BASE_URL: { description: 'Public base URL of the app (https://<app>.azurewebsites.net); run notifications link to runs below it.' },
  DEV_PRINCIPAL: {
    description: 'Development only: the principal assumed when a request carries no x-ms-client-principal header.',
    localOnly: true,
  },
  ADROLL_API_URL: { description: 'AdRoll API base URL (default https://services.adroll.com).' },
  ADROLL_CLIENT_ID: { description: 'AdRoll OAuth application client id (also sent as the `apikey` query parameter).' },
  ADROLL_CLIENT_SECRET: { description: 'AdRoll OAuth application client secret.', secret: true },
  ROLLWORKS_API_URL: { description: 'RollWorks API base URL (same platform as AdRoll).' },
  ROLLWORKS_CLIENT_ID: { description: 'RollWorks OAuth application client id.' },
  ROLLWORKS_CLIENT_SECRET: { description: 'RollWorks OAuth application client secret.', secret: true },
  MSADS_API_URL: {
    description: 'Microsoft Advertising Campaign Management base URL (default https://campaign.api.bingads.microsoft.com).',
  },
  MSADS_BULK_API_URL: {
    description:
      'Microsoft Advertising Bulk service base URL (default: derived from MSADS_API_URL, https://bulk.api.bingads.microsoft.com for the production host).',
  },
  MSADS_BULK_THRESHOLD: {
    description: 'A segment\'s adds (or removes) above this count go to Microsoft Advertising as one Bulk upload instead of Apply calls (default 10000).',
  },
  MSADS_TOKEN_URL: {
    description: 'Microsoft identity platform token endpoint (default https://login.microsoftonline.com/common/oauth2/v2.0/token).',
  },
  MSADS_CLIENT_ID: { description: 'Microsoft Advertising OAuth application (client) id.' },
  MSADS_CLIENT_SECRET: { description: 'Microsoft Advertising OAuth client secret.', secret: true },
  MSADS_DEVELOPER_TOKEN: { description: 'Microsoft Advertising developer token.', secret: true },
  GOOGLE_ADS_API_URL: { description: 'Google Data Manager API base URL (default https://datamanager.googleapis.com/v1).' },
  GOOGLE_ADS_TOKEN_URL: { description: 'Google OAuth 2.0 token endpoint (default https://oauth2.googleapis.com/token).' },
  GOOGLE_ADS_CLIENT_ID: { description: 'Google OAuth client id (its Cloud project carries the Data Manager API quota).' },
  GOOGLE_ADS_CLIENT_SECRET: { description: 'Google OAuth client secret.', secret: true },
  AUTOPILOT_API_URL: { description: 'Autopilot API base URL (default https://api2.autopilothq.com/v1).' },
  META_API_URL: { description: 'Meta Graph API base URL, without the version (default https://graph.facebook.com).' },
  ORTTO_API_URL: { description: "Ortto API base URL for every connection, whatever its region (unset or empty: the region's host, https://api.ap3api.com/v1, api.au.ap3api.com or api.eu.ap3api.com)." },
  LINKEDIN_API_URL: { description: 'LinkedIn Marketing API base URL (default https://api.linkedin.com/rest).' },
  LINKEDIN_TOKEN_URL: { description: 'LinkedIn OAuth 2.0 token endpoint (default https://www.linkedin.com/oauth/v2/accessToken).' },
  LINKEDIN_CLIENT_ID: { description: 'LinkedIn app client id (an app approved for the Audiences program).' },
  LINKEDIN_CLIENT_SECRET: { description: 'LinkedIn app client secret.', secret: true },
  LINKEDIN_SOURCE_PLATFORM: { description: "sourcePlatform of the DMP segments the app creates, as LinkedIn assigns it to the app (default LIST_UPLOAD)." },
} as const satisfies Record<string, AppSettingInfo>;

export type AppSettingName = keyof typeof appSettings;

const optionalUrl = z.string().url().optional();

const configSchema = z.object({
  storageConnectionString: z.string().optional(),
  blobServiceUri: optionalUrl,
  queueServiceUri: optionalUrl,
  tableServiceUri: optionalUrl,
  managedIdentityClientId: z.string().optional(),
  taskHub: z.string().default('SegmentExport'),
  keyVaultUrl: optionalUrl,
  secretEncryptionKey: z.string().optional(),
  refreshSchedule: z.string().default('0 0 */6 * * *'),
  containers: z.object({
    segments: z.string().default('segments'),
    work: z.string().default('work'),
    reports: z.string().default('reports'),
    ledgers: z.string().default('ledgers'),
  }),
  maxUploadsInFlight: z.coerce.number().int().min(1).max(64).default(8),
  sendWhilePreparing: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  retentionDays: z.coerce.number().int().min(1).max(3650).default(30),
  appBaseUrl: optionalUrl,
  appInsightsConnectionString: z.string().optional(),
  devPrincipal: z.string().optional(),
  destinations: z.object({
    adroll: z.object({
      apiUrl: z.string().url().default('https://services.adroll.com'),
      clientId: z.string().default(''),
      clientSecret: z.string().default(''),
    }),
    rollworks: z.object({
      apiUrl: z.string().url().default('https://services.adroll.com'),
      clientId: z.string().default(''),
      clientSecret: z.string().default(''),
    }),
    microsoftAdvertising: z.object({
      apiUrl: z.string().url().default('https://campaign.api.bingads.microsoft.com'),
      /** Unset: derived from apiUrl (bulkApiUrl() in the client), so one setting points a test or the simulator at every service. */
      bulkApiUrl: optionalUrl,
      /**
       * 10,000 changes are 10 Apply calls, 2 s at 5 calls a second, about what a bulk job
       * costs in upload, processing and polling; above it the calls grow with the changes
       * while a bulk job hardly does (500,000 members: 100 s of Apply, one upload). Small
       * full syncs therefore stay on Apply too (their first batch replaces the list).
       */
      bulkThreshold: z.coerce.number().int().min(1).default(10_000),
      tokenUrl: z.string().url().default('https://login.microsoftonline.com/common/oauth2/v2.0/token'),
      clientId: z.string().default(''),
      clientSecret: z.string().default(''),
      developerToken: z.string().default(''),
    }),
    googleAds: z.object({
      apiUrl: z.string().url().default('https://datamanager.googleapis.com/v1'),
      tokenUrl: z.string().url().default('https://oauth2.googleapis.com/token'),
      clientId: z.string().default(''),
      clientSecret: z.string().default(''),
    }),
    autopilot: z.object({
      apiUrl: z.string().url().default('https://api2.autopilothq.com/v1'),
    }),
    meta: z.object({
      apiUrl: z.string().url().default('https://graph.facebook.com'),
    }),
    /** Unset in Azure: each connection's region picks the host. */
    ortto: z.object({ apiUrl: optionalUrl }),
    linkedin: z.object({
      apiUrl: z.string().url().default('https://api.linkedin.com/rest'),
      tokenUrl: z.string().url().default('https://www.linkedin.com/oauth/v2/accessToken'),
      clientId: z.string().default(''),
      clientSecret: z.string().default(''),
      sourcePlatform: z.string().default('LIST_UPLOAD'),
    }),
  }),
});

export type AppConfig = z.infer<typeof configSchema>;
export type DestinationEndpoints = AppConfig['destinations'];

type Env = Partial<Record<AppSettingName, string>>;

/** Reads the app settings. Empty strings count as unset, as they do in the portal. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const read = (name: AppSettingName): string | undefined => {
    const value = (env as Env)[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return configSchema.parse({
    storageConnectionString: read('AzureWebJobsStorage'),
    blobServiceUri: read('AzureWebJobsStorage__blobServiceUri'),
    queueServiceUri: read('AzureWebJobsStorage__queueServiceUri'),
    tableServiceUri: read('AzureWebJobsStorage__tableServiceUri'),
    managedIdentityClientId: read('AzureWebJobsStorage__clientId'),
    taskHub: read('DURABLE_TASK_HUB'),
    keyVaultUrl: read('KEY_VAULT_URL'),
    secretEncryptionKey: read('SECRET_ENCRYPTION_KEY'),
    refreshSchedule: read('REFRESH_SCHEDULE'),
    containers: {
      segments: read('SEGMENTS_CONTAINER'),
      work: read('WORK_CONTAINER'),
      reports: read('REPORTS_CONTAINER'),
      ledgers: read('LEDGERS_CONTAINER'),
    },
    maxUploadsInFlight: read('MAX_UPLOADS_IN_FLIGHT'),
    sendWhilePreparing: read('SEND_WHILE_PREPARING'),
    retentionDays: read('RETENTION_DAYS'),
    appBaseUrl: read('APP_BASE_URL'),
    appInsightsConnectionString: read('APPLICATIONINSIGHTS_CONNECTION_STRING'),
    devPrincipal: read('DEV_PRINCIPAL'),
    destinations: {
      adroll: {
        apiUrl: read('ADROLL_API_URL'),
        clientId: read('ADROLL_CLIENT_ID'),
        clientSecret: read('ADROLL_CLIENT_SECRET'),
      },
      rollworks: {
        apiUrl: read('ROLLWORKS_API_URL'),
        clientId: read('ROLLWORKS_CLIENT_ID'),
        clientSecret: read('ROLLWORKS_CLIENT_SECRET'),
      },
      microsoftAdvertising: {
        apiUrl: read('MSADS_API_URL'),
        bulkApiUrl: read('MSADS_BULK_API_URL'),
        bulkThreshold: read('MSADS_BULK_THRESHOLD'),
        tokenUrl: read('MSADS_TOKEN_URL'),
        clientId: read('MSADS_CLIENT_ID'),
        clientSecret: read('MSADS_CLIENT_SECRET'),
        developerToken: read('MSADS_DEVELOPER_TOKEN'),
      },
      googleAds: {
        apiUrl: read('GOOGLE_ADS_API_URL'),
        tokenUrl: read('GOOGLE_ADS_TOKEN_URL'),
        clientId: read('GOOGLE_ADS_CLIENT_ID'),
        clientSecret: read('GOOGLE_ADS_CLIENT_SECRET'),
      },
      autopilot: { apiUrl: read('AUTOPILOT_API_URL') },
      meta: { apiUrl: read('META_API_URL') },
      ortto: { apiUrl: read('ORTTO_API_URL') },
      linkedin: {
        apiUrl: read('LINKEDIN_API_URL'),
        tokenUrl: read('LINKEDIN_TOKEN_URL'),
        clientId: read('LINKEDIN_CLIENT_ID'),
        clientSecret: read('LINKEDIN_CLIENT_SECRET'),
        sourcePlatform: read('LINKEDIN_SOURCE_PLATFORM'),
      },
    },
  });
}
