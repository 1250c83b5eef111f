// Alerts on runs and audiences: Azure Monitor log search alerts over the ExportRun and
// AudienceAlert events the app sends to Application Insights (docs/operations.md), and the
// action group both notify by email.

param location string
param tags object

@description('Resource id of the Application Insights component the app reports to.')
param appInsightsId string

param actionGroupName string
param alertRuleName string
param audienceAlertRuleName string

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

// Every 5 minutes, over the last 5: fires when an audience crossed one of its export's alert
// thresholds (a match rate fell below it, or the audience shrank by more than its share). The
// app emits one AudienceAlert per crossing, so each crossing alerts once.
resource audienceAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: audienceAlertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'segment-export: audience match rate fell or audience shrank'
    description: 'An audience crossed an alert threshold its export sets (audienceAlerts). The export, segment, kind and numbers are in the alert\'s dimensions; docs/operations.md says what to look at.'
    severity: 3
    enabled: true
    scopes: [ appInsightsId ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'customEvents | where name == "AudienceAlert" | extend exportId = tostring(customDimensions.exportId), segment = tostring(customDimensions.segment), kind = tostring(customDimensions.kind)'
          timeAggregation: 'Count'
          dimensions: [
            { name: 'exportId', operator: 'Include', values: [ '*' ] }
            { name: 'segment', operator: 'Include', values: [ '*' ] }
            { name: 'kind', operator: 'Include', values: [ '*' ] }
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
output audienceAlertRuleId string = audienceAlert.id
