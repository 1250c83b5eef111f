// Key Vault for connection secrets (written by the app) and the destinations' OAuth
// application secrets (written by an operator, read through Key Vault references).
// RBAC authorization, so access is granted with roles like everything else.

param name string
param location string
param tags object

@description('Principal id of the Function App identity.')
param appPrincipalId string

@description('Object id of the person running the deployment, so they can set secrets; empty to skip.')
param operatorPrincipalId string

// Secrets Officer rather than Secrets User: the app creates, updates and deletes the
// secrets of connections, not only reads them.
var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    publicNetworkAccess: 'Enabled'
  }
}

resource appSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, appPrincipalId, secretsOfficerRoleId)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
  }
}

resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  scope: vault
  name: guid(vault.id, operatorPrincipalId, secretsOfficerRoleId)
  properties: {
    // No principalType: azd may run as a user or, in CI, as a service principal.
    principalId: operatorPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
