// The one identity the Function App runs as. User-assigned rather than system-assigned so
// its roles exist before the app starts: the Flex Consumption plan reads its deployment
// package with it, and the host needs storage access on its very first start.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
