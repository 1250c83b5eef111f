import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSettings, type AppSettingInfo } from '../shared/config.js';
import { roles } from '../shared/domain/principal.js';
import { EVENTS } from '../shared/telemetry/events.js';
import { literal, loadTemplates, properties, property, repoRoot, templateProblems, valueOf, type Templates } from './check.js';

/**
 * Settings of shared/config.ts that the Bicep does not set as app settings, and what sets
 * them instead. The Flex Consumption plan rejects FUNCTIONS_WORKER_RUNTIME as an app
 * setting; the site's `functionAppConfig.runtime` names the worker (asserted below).
 */
const setElsewhere: Record<string, string> = { FUNCTIONS_WORKER_RUNTIME: 'functionAppConfig.runtime' };

/**
 * App settings the platform reads although the code never does: MALLOC_ARENA_MAX, for the C
 * library of the host and worker processes (dev/app-process-env.ts). Flex Consumption rejects
 * FUNCTIONS_EXTENSION_VERSION and the content-share settings, and everything else it needs
 * (storage, Application Insights) the code lists too.
 */
const platformOnly: string[] = ['MALLOC_ARENA_MAX'];

/** Built-in role definition ids, and the only roles the templates may grant. */
const allowedRoles: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
};

const settings = Object.entries(appSettings as Record<string, AppSettingInfo>);
const expectedNames = settings.filter(([name, info]) => !info.localOnly && !(name in setElsewhere)).map(([name]) => name);
const secretNames = settings.filter(([, info]) => info.secret && !info.localOnly).map(([name]) => name);
/** ADROLL_CLIENT_SECRET is the Key Vault secret adroll-client-secret. */
const vaultSecretName = (setting: string) => setting.toLowerCase().replaceAll('_', '-');
const keyVaultReference = /^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVaultUri\}secrets\/([a-z0-9-]+)\)'$/;

function resources(t: Templates, type: string) {
  return [...t.files.values()].flatMap((f) => f.resources.filter((r) => r.type === type).map((r) => ({ ...r, file: f.file })));
}

/** The one `Microsoft.Web/sites/config` named `appsettings`. */
function appSettingsResource(t: Templates) {
  const found = resources(t, 'Microsoft.Web/sites/config').filter((r) => literal(property(r.body, 'name')) === 'appsettings');
  expect(found, 'exactly one appsettings resource').toHaveLength(1);
  return found[0]!;
}

/** Names set in the Bicep against names the code reads: what is missing, extra, or set twice. */
function settingsDrift(t: Templates) {
  const set = properties(property(appSettingsResource(t).body, 'properties')).map((p) => p.key);
  return {
    missing: expectedNames.filter((name) => !set.includes(name)),
    extra: set.filter((name) => !expectedNames.includes(name) && !platformOnly.includes(name)),
    twice: set.filter((name, i) => set.indexOf(name) !== i),
  };
}

/** Secret settings whose value is anything but a Key Vault reference to the secret of the same name. */
function plainSecrets(t: Templates): string[] {
  const values = properties(property(appSettingsResource(t).body, 'properties'));
  return values
    .filter(({ key, value }) => {
      const reference = keyVaultReference.exec(value.text);
      return secretNames.includes(key) ? reference?.[1] !== vaultSecretName(key) : reference !== null;
    })
    .map(({ key, value }) => `${key}: ${value.text}`);
}

/** Copies the templates to a scratch folder, replaces `from` with `to` in one file, and loads the copy. */
const scratch: string[] = [];
async function templatesAfter(file: string, from: string | RegExp, to: string) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'infra-check-'));
  scratch.push(root);
  for (const item of ['infra', 'azure.yaml', 'docs']) cpSync(path.join(repoRoot(), item), path.join(root, item), { recursive: true });
  const before = readFileSync(path.join(root, file), 'utf8');
  const after = before.replace(from, to);
  expect(after, `${file} contains ${String(from)}`).not.toBe(before);
  writeFileSync(path.join(root, file), after);
  return loadTemplates(root);
}

let t: Templates;
beforeAll(async () => {
  t = await loadTemplates();
});
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the templates', () => {
  it('parse, and the structural check finds nothing', () => {
    expect([...t.files.keys()]).toEqual(
      expect.arrayContaining(['infra/main.bicep', 'infra/modules/function-app.bicep', 'infra/modules/blob-events.bicep']),
    );
    expect(templateProblems(t)).toEqual([]);
  });

  it('are checked: the check reports broken templates', async () => {
    const cases: [file: string, from: string | RegExp, to: string, expected: RegExp][] = [
      ['infra/modules/identity.bicep', /\n}\n/, '\n', /identity\.bicep:\d+:\d+ syntax error/],
      ['infra/main.bicep', "var tags =", "param forgotten string = ''\nvar tags =", /parameter 'forgotten' is never used/],
      ['infra/main.bicep', 'storageAccountName: storage.outputs.name', 'storageAccountName: storag.outputs.name', /main\.bicep:\d+:\d+ unknown name 'storag'/],
      ['infra/main.bicep', "'modules/identity.bicep'", "'modules/identiti.bicep'", /identiti\.bicep, which does not exist/],
      ['infra/modules/monitoring.bicep', '@2020-02-02', '', /resource 'appInsights' has no valid 'type@api-version'/],
      ['infra/main.bicep', 'adrollClientId: adrollClientId', 'adrollClientID: adrollClientId', /passes 'adrollClientID', which .* does not declare/],
      ['infra/main.bicep', 'identity.outputs.clientId\n', 'identity.outputs.client\n', /identity\.bicep has no output 'client'/],
      ['infra/main.parameters.json', '"authClientId"', '"authClient"', /sets 'authClient', which main\.bicep does not declare/],
      ['infra/main.bicep', 'output AZURE_FUNCTION_APP_NAME', 'output FUNCTION_APP_NAME', /postdeploy\.mjs reads AZURE_FUNCTION_APP_NAME, which no output/],
      ['infra/modules/function-app.bicep', "DURABLE_TASK_HUB: 'SegmentExport'", "DURABLE_TASK_HUB: 'a'\n    DURABLE_TASK_HUB: 'b'", /duplicate property 'DURABLE_TASK_HUB'/],
    ];
    for (const [file, from, to, expected] of cases) {
      expect(templateProblems(await templatesAfter(file, from, to))).toContainEqual(expect.stringMatching(expected));
    }
  });
});

describe('app settings', () => {
  it('are exactly the settings the code reads (shared/config.ts), each set once', () => {
    expect(settingsDrift(t)).toEqual({ missing: [], extra: [], twice: [] });
  });

  it('drift is caught both ways', async () => {
    const removed = await templatesAfter('infra/modules/function-app.bicep', /\n\s*MSADS_TOKEN_URL: .*/, '');
    expect(settingsDrift(removed).missing).toEqual(['MSADS_TOKEN_URL']);
    const added = await templatesAfter('infra/modules/function-app.bicep', "DURABLE_TASK_HUB: 'SegmentExport'", "DURABLE_TASK_HUB: 'SegmentExport'\n    FUNCTIONS_EXTENSION_VERSION: '~4'");
    expect(settingsDrift(added).extra).toEqual(['FUNCTIONS_EXTENSION_VERSION']);
  });

  it('set the worker runtime through functionAppConfig, as Flex Consumption requires', () => {
    const [site] = resources(t, 'Microsoft.Web/sites').filter((r) => !r.existing);
    expect(valueOf(property(site?.body, 'properties.functionAppConfig.runtime'))).toEqual({ name: 'node', version: '22' });
    // No second place sets app settings: siteConfig.appSettings would be merged away.
    expect(property(site?.body, 'properties.siteConfig.appSettings')).toBeUndefined();
  });

  it('hold no secret as a plain value: secrets are Key Vault references', async () => {
    expect(secretNames.length).toBeGreaterThan(0);
    expect(plainSecrets(t)).toEqual([]);
    const plain = await templatesAfter('infra/modules/function-app.bicep', /ADROLL_CLIENT_SECRET: .*/, 'ADROLL_CLIENT_SECRET: adrollClientId');
    expect(plainSecrets(plain)).toEqual(['ADROLL_CLIENT_SECRET: adrollClientId']);
  });

  it('never include a storage connection string or a development-only setting', () => {
    const set = properties(property(appSettingsResource(t).body, 'properties')).map((p) => p.key);
    const localOnly = settings.filter(([, info]) => info.localOnly).map(([name]) => name);
    expect(localOnly).toContain('AzureWebJobsStorage');
    expect(set.filter((name) => localOnly.includes(name))).toEqual([]);
    expect(valueOf(property(appSettingsResource(t).body, 'properties'))).toMatchObject({ AzureWebJobsStorage__credential: 'managedidentity' });
  });

  it('are all described in docs/deploy.md, secrets with their Key Vault names', () => {
    const doc = readFileSync(path.join(repoRoot(), 'docs/deploy.md'), 'utf8');
    expect(settings.map(([name]) => name).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    expect(secretNames.map(vaultSecretName).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('runtime and Durable Functions on Flex Consumption', () => {
  const site = () => resources(t, 'Microsoft.Web/sites').filter((r) => !r.existing)[0];

  it('deploys Node 22 (Node 20 is past end of life)', () => {
    expect(valueOf(property(site()?.body, 'properties.functionAppConfig.runtime'))).toEqual({ name: 'node', version: '22' });
    // The code still supports 20: engines must not exclude it.
    const { engines } = JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe('>=20.19');
  });

  it('keeps one instance of the durable group always ready, as Microsoft recommends', () => {
    const alwaysReady = valueOf(property(site()?.body, 'properties.functionAppConfig.scaleAndConcurrency.alwaysReady'));
    expect(alwaysReady).toEqual([{ name: 'durable', instanceCount: 1 }]);
  });

  it('polls the Durable Functions queues every 10 seconds or less (host.json)', () => {
    const hostJson = JSON.parse(readFileSync(path.join(repoRoot(), 'host.json'), 'utf8')) as {
      extensions: { durableTask: { storageProvider?: { maxQueuePollingInterval?: string } } };
    };
    const interval = hostJson.extensions.durableTask.storageProvider?.maxQueuePollingInterval ?? '00:00:30';
    const [h, m, sec] = interval.split(':').map(Number);
    expect(h! * 3600 + m! * 60 + sec!).toBeLessThanOrEqual(10);
    expect(h! * 3600 + m! * 60 + sec!).toBeGreaterThan(0);
  });

  it('are cited in docs/deploy.md', () => {
    const doc = readFileSync(path.join(repoRoot(), 'docs/deploy.md'), 'utf8');
    expect(doc).toContain('https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-azure-storage-provider#flex-consumption-plan');
    expect(doc).toMatch(/Node 22/);
  });
});

describe('retention', () => {
  it('a lifecycle rule deletes reports and work files after RETENTION_DAYS, the same number the app purges by', () => {
    const [policy] = resources(t, 'Microsoft.Storage/storageAccounts/managementPolicies');
    expect(policy?.file).toBe('infra/modules/storage.bicep');
    const [rule] = (valueOf(property(policy?.body, 'properties.policy.rules')) as Record<string, any>[]) ?? [];
    expect(rule).toMatchObject({ enabled: true, type: 'Lifecycle', definition: { actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: { expr: 'retentionDays' } } } } } });
    expect(property(policy?.body, 'properties.policy.rules')?.text).toContain("prefixMatch: [ for container in expiringContainers: '${container}/' ]");
    const storage = t.main.modules.find((m) => m.file === 'infra/modules/storage.bicep');
    expect(property(storage?.body, 'params.expiringContainers')?.text).toBe('[ containers.reports, containers.work ]');
    expect(property(storage?.body, 'params.retentionDays')?.text).toBe('retentionDays');
    const app = t.main.modules.find((m) => m.file === 'infra/modules/function-app.bicep');
    expect(property(app?.body, 'params.retentionDays')?.text).toBe('retentionDays');
  });
});

describe('alerts', () => {
  it('a log search alert fires on failed or partially-succeeded runs and notifies the action group', () => {
    const [rule] = resources(t, 'Microsoft.Insights/scheduledQueryRules');
    expect(rule?.file).toBe('infra/modules/alerts.bicep');
    const properties = valueOf(property(rule?.body, 'properties')) as Record<string, any>;
    expect(properties).toMatchObject({
      enabled: true,
      scopes: [{ expr: 'appInsightsId' }],
      evaluationFrequency: 'PT5M',
      windowSize: 'PT5M',
      actions: { actionGroups: [{ expr: 'actionGroup.id' }] },
    });
    const [criterion] = properties.criteria.allOf;
    // The query reads the ExportRun events the app emits (shared/telemetry/events.ts).
    expect(criterion.query).toContain('customEvents | where name == "ExportRun"');
    expect(criterion.query).toContain('where status in ("failed", "partially-succeeded")');
    expect(criterion).toMatchObject({ timeAggregation: 'Count', operator: 'GreaterThan', threshold: 0 });
  });

  it('a second rule fires on AudienceAlert events, per export, segment and kind, through the same action group', () => {
    const rules = resources(t, 'Microsoft.Insights/scheduledQueryRules');
    expect(rules).toHaveLength(2);
    const properties = valueOf(property(rules[1]?.body, 'properties')) as Record<string, any>;
    expect(properties).toMatchObject({ enabled: true, scopes: [{ expr: 'appInsightsId' }], actions: { actionGroups: [{ expr: 'actionGroup.id' }] } });
    const [criterion] = properties.criteria.allOf;
    // The event the insights emit once per crossing (shared/telemetry/events.ts, recordAudienceAlert).
    expect(criterion.query).toContain(`customEvents | where name == "${EVENTS.audienceAlert}"`);
    expect(criterion.dimensions.map((d: { name: string }) => d.name)).toEqual(['exportId', 'segment', 'kind']);
    expect(criterion).toMatchObject({ timeAggregation: 'Count', operator: 'GreaterThan', threshold: 0 });
    const module = t.main.modules.find((m) => m.file === 'infra/modules/alerts.bicep');
    expect(property(module?.body, 'params.audienceAlertRuleName')?.text).toContain('alert-audiences-');
  });

  it('the action group emails the address azd passes in (ALERT_EMAIL)', () => {
    const [group] = resources(t, 'Microsoft.Insights/actionGroups');
    expect(valueOf(property(group?.body, 'location'))).toBe('Global');
    expect(property(group?.body, 'properties.emailReceivers')?.text).toMatch(/^empty\(alertEmail\) \? \[\] : \[/);
    expect(property(group?.body, 'properties.emailReceivers')?.text).toContain('emailAddress: alertEmail');
    const module = t.main.modules.find((m) => m.file === 'infra/modules/alerts.bicep');
    expect(property(module?.body, 'params.alertEmail')?.text).toBe('alertEmail');
    expect(property(module?.body, 'params.appInsightsId')?.text).toBe('monitoring.outputs.appInsightsId');
    const parameters = JSON.parse(readFileSync(path.join(repoRoot(), 'infra/main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    expect(parameters.parameters.alertEmail).toEqual({ value: '${ALERT_EMAIL}' });
  });
});

describe('security', () => {
  it('storage: no shared keys, HTTPS only, TLS 1.2, no public blobs, and the app containers', () => {
    const [account] = resources(t, 'Microsoft.Storage/storageAccounts').filter((r) => !r.existing);
    expect(valueOf(property(account?.body, 'properties'))).toMatchObject({
      allowSharedKeyAccess: false,
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
    });
    expect(valueOf(t.main.vars.get('containers'))).toEqual({ segments: 'segments', work: 'work', reports: 'reports', ledgers: 'ledgers' });
  });

  it('function app: Flex Consumption, HTTPS only, TLS 1.2, user-assigned identity', () => {
    const [plan] = resources(t, 'Microsoft.Web/serverfarms');
    expect(valueOf(property(plan?.body, 'sku'))).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    const [site] = resources(t, 'Microsoft.Web/sites').filter((r) => !r.existing);
    expect(valueOf(site?.body)).toMatchObject({
      identity: { type: 'UserAssigned' },
      properties: { httpsOnly: true, siteConfig: { minTlsVersion: '1.2' } },
    });
  });

  it('grants only the four roles the app needs', () => {
    const granted = new Set<string>();
    for (const f of t.files.values()) {
      for (const [guid] of f.root.text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)) granted.add(guid);
    }
    expect([...granted].map((id) => allowedRoles[id] ?? id).sort()).toEqual(Object.values(allowedRoles).sort());
    for (const assignment of resources(t, 'Microsoft.Authorization/roleAssignments')) {
      expect(property(assignment.body, 'properties.principalId')?.text).toMatch(/^(appPrincipalId|operatorPrincipalId)$/);
    }
  });

  it('Key Vault authorizes with roles', () => {
    const [vault] = resources(t, 'Microsoft.KeyVault/vaults');
    expect(valueOf(property(vault?.body, 'properties'))).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true });
  });

  it('App Service authentication guards the API; the app registration carries the roles the code checks', () => {
    const [auth] = resources(t, 'Microsoft.Web/sites/config').filter((r) => literal(property(r.body, 'name')) === 'authsettingsV2');
    expect(valueOf(property(auth?.body, 'properties'))).toMatchObject({
      platform: { enabled: true },
      globalValidation: { requireAuthentication: true, unauthenticatedClientAction: 'Return401', excludedPaths: ['/runtime/webhooks/blobs'] },
      identityProviders: { azureActiveDirectory: { enabled: true } },
    });
    const { appRoles } = JSON.parse(readFileSync(path.join(repoRoot(), 'infra/app-registration.json'), 'utf8')) as {
      appRoles: { value: string; id: string }[];
    };
    expect(appRoles.map((r) => r.value).sort()).toEqual([...roles].sort());
    expect(new Set(appRoles.map((r) => r.id)).size).toBe(appRoles.length);
  });
});

describe('blob events', () => {
  it('subscribe the segmentBlobTrigger webhook to BlobCreated in the segments container', () => {
    const events = t.files.get('infra/modules/blob-events.bicep')!;
    expect(literal(events.vars.get('functionName'))).toBe('segmentBlobTrigger');
    const [topic] = resources(t, 'Microsoft.EventGrid/systemTopics');
    expect(valueOf(property(topic?.body, 'properties'))).toMatchObject({ topicType: 'Microsoft.Storage.StorageAccounts', source: { expr: 'account.id' } });

    const [subscription] = resources(t, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
    expect(subscription?.conditional).toBe(true); // created once the code is deployed
    const endpoint = property(subscription?.body, 'properties.destination.properties.endpointUrl')?.text ?? '';
    expect(endpoint).toContain('/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=');
    expect(endpoint).toContain('.systemKeys.blobs_extension');
    expect(valueOf(property(subscription?.body, 'properties'))).toMatchObject({
      destination: { endpointType: 'WebHook' },
      filter: {
        includedEventTypes: ['Microsoft.Storage.BlobCreated'],
        subjectBeginsWith: { expr: "'/blobServices/default/containers/${segmentsContainer}/'" },
      },
    });
    const module = t.main.modules.find((m) => m.file === 'infra/modules/blob-events.bicep');
    expect(property(module?.body, 'params.segmentsContainer')?.text).toBe('containers.segments');
  });
});
