// The Function App on the Flex Consumption plan: Node 22, the app settings the code reads
// (shared/config.ts lists them; infra/infra.test.ts keeps the two lists equal), and App
// Service authentication in front of the HTTP API.

param name string
param planName string
param location string
param tags object

@description('Resource id and client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

@description('Blob container (URL) that holds the deployment package.')
param deploymentContainerUrl string

@description('Container names: { segments, work, reports }.')
param containers object

param appInsightsConnectionString string
param keyVaultUri string
param refreshSchedule string
param maxUploadsInFlight int
param retentionDays int

@description('OAuth application (client) ids of the destinations; their secrets live in Key Vault.')
param adrollClientId string
param rollworksClientId string
param msadsClientId string
param googleAdsClientId string
param linkedinClientId string

@description('Client id of the Entra app registration that carries the admin and contributor app roles.')
param authClientId string

@description('Browser origins allowed to call the API.')
param corsAllowedOrigins array

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy to by this tag (azure.yaml service `api`).
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the same identity the code uses.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: { allowedOrigins: corsAllowedOrigins }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        // Microsoft's recommendation for Durable Functions on Flex Consumption: one always
        // ready instance for the `durable` group (orchestrators and activities), so a run
        // never waits for a cold start (docs/deploy.md cites it).
        alwaysReady: [ { name: 'durable', instanceCount: 1 } ]
        maximumInstanceCount: 100
        // Segment files stream through, so memory stays flat; 2 GB leaves room for
        // several upload activities per instance.
        instanceMemoryMB: 2048
      }
      // On Flex Consumption this replaces the FUNCTIONS_WORKER_RUNTIME app setting, which
      // the plan rejects. Node 22: Node 20 reached end of life on 2026-04-30, and 22 is the
      // plan's default (the code runs on both).
      runtime: { name: 'node', version: '22' }
    }
  }
}

// Exactly the settings of shared/config.ts that are not localOnly, each once. This
// resource replaces the whole set on every provision, so change them here (or through
// the parameters), not in the portal.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Identity-based storage for the host, Durable Functions and the app.
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    DURABLE_TASK_HUB: 'SegmentExport'
    KEY_VAULT_URL: keyVaultUri
    REFRESH_SCHEDULE: refreshSchedule
    SEGMENTS_CONTAINER: containers.segments
    WORK_CONTAINER: containers.work
    REPORTS_CONTAINER: containers.reports
    LEDGERS_CONTAINER: containers.ledgers
    MAX_UPLOADS_IN_FLIGHT: string(maxUploadsInFlight)
    SEND_WHILE_PREPARING: 'true'
    RETENTION_DAYS: string(retentionDays)
    APP_BASE_URL: 'https://${site.properties.defaultHostName}'
    ADROLL_API_URL: 'https://services.adroll.com'
    ADROLL_CLIENT_ID: adrollClientId
    ADROLL_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/adroll-client-secret)'
    ROLLWORKS_API_URL: 'https://services.adroll.com'
    ROLLWORKS_CLIENT_ID: rollworksClientId
    ROLLWORKS_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/rollworks-client-secret)'
    MSADS_API_URL: 'https://campaign.api.bingads.microsoft.com'
    MSADS_BULK_API_URL: 'https://bulk.api.bingads.microsoft.com'
    MSADS_BULK_THRESHOLD: '10000'
    MSADS_TOKEN_URL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token'
    MSADS_CLIENT_ID: msadsClientId
    MSADS_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/msads-client-secret)'
    MSADS_DEVELOPER_TOKEN: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/msads-developer-token)'
    GOOGLE_ADS_API_URL: 'https://datamanager.googleapis.com/v1'
    GOOGLE_ADS_TOKEN_URL: 'https://oauth2.googleapis.com/token'
    GOOGLE_ADS_CLIENT_ID: googleAdsClientId
    GOOGLE_ADS_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/google-ads-client-secret)'
    META_API_URL: 'https://graph.facebook.com'
    ORTTO_API_URL: ''
    LINKEDIN_API_URL: 'https://api.linkedin.com/rest'
    LINKEDIN_TOKEN_URL: 'https://www.linkedin.com/oauth/v2/accessToken'
    LINKEDIN_CLIENT_ID: linkedinClientId
    LINKEDIN_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/linkedin-client-secret)'
    LINKEDIN_SOURCE_PLATFORM: 'LIST_UPLOAD'
    AUTOPILOT_API_URL: 'https://api2.autopilothq.com/v1'
    // Read by the C library of the host and the Node worker, not by the app: two malloc arenas
    // instead of up to eight per core keep freed memory from piling up in idle arenas
    // (dev/app-process-env.ts: the tenant benchmark's peak RSS, 423-461 MB before, 396 MB).
    MALLOC_ARENA_MAX: '2'
  }
}

// App Service authentication: only callers with an Entra token for our app registration
// reach the code, which then reads their app roles (admin, contributor) from
// x-ms-client-principal. Bearer tokens only: the API has no interactive sign-in.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // Event Grid delivers blob events here; the blobs_extension key guards it.
      excludedPaths: [ '/runtime/webhooks/blobs' ]
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [ authClientId, 'api://${authClientId}' ]
        }
      }
    }
    login: { tokenStore: { enabled: false } }
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
