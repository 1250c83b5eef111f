// Alerts on runs: an Azure Monitor log search alert over the ExportRun events the app sends
// to Application Insights (docs/operations.md), and the action group it notifies by email.

param location string
param tags object

@description('Resource id of the Application Insights component the app reports to.')
param appInsightsId string

param actionGroupName string
param alertRuleName string

@description('Who is emailed when a run fails or partially succeeds; empty: the action group notifies nobody until you add a receiver.')
param alertEmail string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  // Action groups are global resources.
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'segexport'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'run-alerts'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Every 5 minutes, over the last 5: fires when a run ended failed or partially-succeeded,
// one alert per export and status so an operator sees which export needs a look.
resource runAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'segment-export: failed or partially-succeeded runs'
    description: 'A run of an export ended failed or partially-succeeded. The run id and reason are in the alert\'s dimensions; docs/operations.md says what to look at.'
    severity: 2
    enabled: true
    scopes: [ appInsightsId ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'customEvents | where name == "ExportRun" | extend status = tostring(customDimensions.status), exportId = tostring(customDimensions.exportId) | where status in ("failed", "partially-succeeded")'
          timeAggregation: 'Count'
          dimensions: [
            { name: 'exportId', operator: 'Include', values: [ '*' ] }
            { name: 'status', operator: 'Include', values: [ '*' ] }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [ actionGroup.id ]
    }
  }
}

output actionGroupId string = actionGroup.id
output alertRuleId string = runAlert.id
