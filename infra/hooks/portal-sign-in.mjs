// After `azd provision`: lets people sign in to the portal in a browser. The portal is
// served by the Function App (/api/portal/) behind the same App Service authentication as
// the API, whose interactive sign-in returns to /.auth/login/aad/callback with an ID token;
// the app registration must list that redirect URI and allow ID tokens. The host name is
// only known once the app exists, hence after provisioning rather than in preprovision.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { az, required } from './cli.mjs';

const clientId = required('AUTH_CLIENT_ID');
const callback = `${required('AZURE_FUNCTION_APP_URL')}/.auth/login/aad/callback`;

const app = az(['ad', 'app', 'show', '--id', clientId]);
const redirectUris = [...new Set([...(app.web?.redirectUris ?? []), callback])];
const body = { web: { redirectUris, implicitGrantSettings: { ...app.web?.implicitGrantSettings, enableIdTokenIssuance: true } } };

const dir = mkdtempSync(join(tmpdir(), 'segment-export-'));
try {
  const file = join(dir, 'web.json');
  writeFileSync(file, JSON.stringify(body));
  az(['rest', '--method', 'PATCH', '--url', `https://graph.microsoft.com/v1.0/applications/${app.id}`, '--headers', 'Content-Type=application/json', '--body', `@${file}`]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Portal sign-in: ${callback} is a redirect URI of ${app.displayName}. Open ${required('AZURE_PORTAL_URL')}`);
