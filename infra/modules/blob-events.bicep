// Blob events for the segment blob trigger. On the Flex Consumption plan the blob trigger
// runs only with the Event Grid source: the storage account's system topic pushes
// BlobCreated events for the segments container to the blob extension's webhook of the
// function `segmentBlobTrigger`. (Locally the trigger polls Azurite instead.)
//
// The webhook key (`blobs_extension`) exists only once the app's code, with that trigger,
// runs; and Event Grid validates the endpoint when the subscription is created. So the
// subscription is created on the provision that follows the first deploy (the azd
// postdeploy hook sets `subscribe`); the system topic is created from the start.

param storageAccountName string
param functionAppName string
param systemTopicName string
param location string
param tags object
param segmentsContainer string

@description('Create the event subscription (true once the code has been deployed).')
param subscribe bool

var functionName = 'segmentBlobTrigger'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource segmentsSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribe) {
  parent: systemTopic
  name: 'segment-files'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${site.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${site.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      subjectBeginsWith: '/blobServices/default/containers/${segmentsContainer}/'
    }
  }
}
