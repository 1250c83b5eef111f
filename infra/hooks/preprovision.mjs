// Before `azd provision`: makes sure the Entra app registration that guards the HTTP API
// exists with the app roles the code checks and the scope a portal asks for
// (infra/app-registration.json), and stores its client id as AUTH_CLIENT_ID for the Bicep
// parameter authClientId.
// Bicep cannot create app registrations without a Graph extension, hence a hook. It needs
// the Azure CLI signed in (`az login`) to the tenant azd deploys to.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { az, azdEnvSet, required } from './cli.mjs';

const registration = JSON.parse(readFileSync(new URL('../app-registration.json', import.meta.url), 'utf8'));
const displayName = `segment-export-${required('AZURE_ENV_NAME')}`;
const presetClientId = process.env.AUTH_CLIENT_ID;

function findApp() {
  if (presetClientId) return az(['ad', 'app', 'show', '--id', presetClientId]);
  // --display-name matches by prefix; keep the exact name only.
  const apps = az(['ad', 'app', 'list', '--display-name', displayName]) ?? [];
  return apps.find((app) => app.displayName === displayName);
}

let app = findApp();
if (!app) {
  console.log(`Creating the app registration ${displayName}.`);
  app = az(['ad', 'app', 'create', '--display-name', displayName, '--sign-in-audience', 'AzureADMyOrg']);
}

// One PATCH sets everything, so a rerun converges on the same registration: roles and
// scope (fixed ids), v2 tokens (App Service authentication expects the v2 issuer), and the
// api:// audience.
const body = { ...registration, identifierUris: [`api://${app.appId}`] };
const dir = mkdtempSync(join(tmpdir(), 'segment-export-'));
try {
  const file = join(dir, 'app.json');
  writeFileSync(file, JSON.stringify(body));
  az([
    'rest', '--method', 'PATCH',
    '--url', `https://graph.microsoft.com/v1.0/applications/${app.id}`,
    '--headers', 'Content-Type=application/json',
    '--body', `@${file}`,
  ]);
} catch (error) {
  // A registration the team manages itself may be out of our reach; it must then carry
  // the roles already (docs/deploy.md).
  if (!presetClientId) throw error;
  console.warn(`Could not update ${presetClientId}; using it as it is. ${error.message}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Users and applications are assigned the roles on the enterprise application (the
// service principal), which a new registration does not have yet.
try {
  az(['ad', 'sp', 'show', '--id', app.appId], { quiet: true });
} catch {
  az(['ad', 'sp', 'create', '--id', app.appId]);
}

if (presetClientId !== app.appId) azdEnvSet('AUTH_CLIENT_ID', app.appId);
console.log(`App registration ${app.displayName} (${app.appId}) has the roles ${registration.appRoles.map((r) => r.value).join(', ')}.`);
