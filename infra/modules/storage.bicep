// The app's storage account: segment files, work files and reports (blobs), configuration
// and run history (tables, created by the app on first use), the Durable Functions task
// hub (queues and tables) and the Flex Consumption deployment package (a blob container).
// Identity-only: shared keys are off, so no connection string to this account exists.

param name string
param location string
param tags object

@description('Blob containers to create.')
param containerNames array

@description('Days after which blobs in the expiring containers are deleted (reports and work files hold email addresses).')
param retentionDays int

@description('Containers whose blobs expire after retentionDays.')
param expiringContainers array

@description('Principal id of the Function App identity.')
param appPrincipalId string

// Built-in roles the Function App identity needs here, and no more:
// Blob Data Owner (the Functions host manages blob leases and the deployment package),
// Table Data Contributor (app tables, task hub history), Queue Data Contributor (task hub
// work queues).
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    // The Flex Consumption app reaches the account over the public endpoint; access is
    // still Entra ID only.
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containerNames: {
    parent: blobService
    name: container
    properties: { publicAccess: 'None' }
  }
]

// Rejected-rows reports and work files name people: they are deleted after the retention
// period even if the app's own purge (a daily timer, which also removes the run records)
// never ran. Ledgers are kept: they are what the audiences hold, and erasure edits them.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-reports-and-work-files'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [ 'blockBlob' ]
              prefixMatch: [ for container in expiringContainers: '${container}/' ]
            }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: retentionDays } }
            }
          }
        }
      ]
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roleIds): {
    scope: account
    name: guid(account.id, appPrincipalId, role.value)
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
    }
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
