// After `azd deploy`: on the first deploy, turns on the blob trigger's Event Grid
// subscription (infra/modules/blob-events.bicep) and provisions once more. It waits for
// the `blobs_extension` key, which the Functions host creates when it first starts the
// deployed blob trigger; the subscription's webhook URL carries that key.
import { az, azdEnvSet, required, run } from './cli.mjs';

if (process.env.SUBSCRIBE_BLOB_EVENTS === 'true') {
  console.log('The segment blob trigger is already subscribed to blob events.');
  process.exit(0);
}

const group = required('AZURE_RESOURCE_GROUP');
const app = required('AZURE_FUNCTION_APP_NAME');
const url = required('AZURE_FUNCTION_APP_URL');
const deadline = Date.now() + 5 * 60_000;

function hasBlobsKey() {
  try {
    const keys = az(['functionapp', 'keys', 'list', '--resource-group', group, '--name', app], { quiet: true });
    return Boolean(keys?.systemKeys?.blobs_extension);
  } catch {
    return false; // the host may still be starting
  }
}

while (!hasBlobsKey()) {
  if (Date.now() > deadline) {
    console.error(
      `The blobs_extension key of ${app} did not appear within 5 minutes. Check that the app started ` +
        '(Application Insights, or `az functionapp function list`), then run `azd hooks run postdeploy`.',
    );
    process.exit(1);
  }
  // Any request wakes an instance (the answer, a 401, does not matter), so the host starts.
  await fetch(url).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 15_000));
}

azdEnvSet('SUBSCRIBE_BLOB_EVENTS', 'true');
run('azd', ['provision', '--no-prompt'], { inherit: true });
