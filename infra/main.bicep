// segment-export on Azure: `azd up` provisions this and deploys the app into it.
// docs/deploy.md walks through it; infra/infra.test.ts checks it (`npm run infra:check`).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Client id of the Entra app registration with the admin and contributor app roles (the preprovision hook creates it).')
param authClientId string

@description('Object id of the person or pipeline running azd; granted Key Vault Secrets Officer to set destination secrets. Empty to skip.')
param principalId string = ''

@description('Create the Event Grid subscription of the segment blob trigger; the postdeploy hook turns it on once the code is deployed.')
param subscribeBlobEvents bool = false

@description('NCRONTAB (six fields) of the scheduled refresh.')
param refreshSchedule string = '0 0 */6 * * *'

@minValue(1)
@maxValue(64)
@description('Upload activities a run keeps in flight at once.')
param maxUploadsInFlight int = 8

@description('Days run records, rejected-rows reports and work files are kept.')
@minValue(1)
param retentionDays int = 30

@description('Browser origins allowed to call the API (CORS), comma-separated (the portal, for one); empty for none.')
param corsAllowedOrigins string = ''

@description('OAuth application (client) ids of the destinations; empty until the destination is set up.')
param adrollClientId string = ''
param rollworksClientId string = ''
param msadsClientId string = ''
param googleAdsClientId string = ''
param linkedinClientId string = ''

@description('Email address that the alerts on failed or partially-succeeded runs and on audiences notify; empty for none.')
param alertEmail string = ''

var tags = { 'azd-env-name': environmentName }
// Globally unique names need a suffix; this one is stable per subscription, environment and region.
var token = toLower(uniqueString(subscription().id, environmentName, location))
var containers = { segments: 'segments', work: 'work', reports: 'reports', ledgers: 'ledgers' }
var deploymentContainer = 'deployment-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: {
    name: 'id-${token}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${token}'
    appInsightsName: 'appi-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    containerNames: [ containers.segments, containers.work, containers.reports, containers.ledgers, deploymentContainer ]
    retentionDays: retentionDays
    expiringContainers: [ containers.reports, containers.work ]
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  name: 'keyvault'
  params: {
    name: 'kv-${token}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  name: 'function-app'
  params: {
    name: 'func-${token}'
    planName: 'plan-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainer}'
    containers: containers
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    refreshSchedule: refreshSchedule
    maxUploadsInFlight: maxUploadsInFlight
    retentionDays: retentionDays
    adrollClientId: adrollClientId
    rollworksClientId: rollworksClientId
    msadsClientId: msadsClientId
    googleAdsClientId: googleAdsClientId
    linkedinClientId: linkedinClientId
    authClientId: authClientId
    corsAllowedOrigins: empty(corsAllowedOrigins) ? [] : split(corsAllowedOrigins, ',')
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  name: 'alerts'
  params: {
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    actionGroupName: 'ag-${token}'
    alertRuleName: 'alert-runs-${token}'
    audienceAlertRuleName: 'alert-audiences-${token}'
    alertEmail: alertEmail
  }
}

module blobEvents 'modules/blob-events.bicep' = {
  scope: rg
  name: 'blob-events'
  params: {
    storageAccountName: storage.outputs.name
    functionAppName: functionApp.outputs.name
    systemTopicName: 'evgt-${token}'
    location: location
    tags: tags
    segmentsContainer: containers.segments
    subscribe: subscribeBlobEvents
  }
}

// azd stores these in the environment (.azure/<env>/.env); the hooks and docs/deploy.md use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
// The portal is served by the Function App; entering through the sign-in page sets the session it needs.
output AZURE_PORTAL_URL string = '${functionApp.outputs.url}/.auth/login/aad?post_login_redirect_uri=/api/portal/'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URL string = keyVault.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
