import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../../shared/services.js';
import { onSegmentFile } from '../../shared/pipeline/segment-refresh.js';
import { runStarter } from '../orchestrators/starter.js';

// `{segment}` and `{file}` come from the blob path; the host puts them in the trigger metadata.
const metadataSchema = z.object({ segment: z.string().min(1), file: z.string().min(1) });

/**
 * A segment file landed. In Azure the Flex Consumption plan delivers blob events through
 * Event Grid (`source: 'EventGrid'`, subscription in infra/); the local host polls Azurite.
 * The handler never parses the bytes it is handed: the run streams the file itself.
 */
app.storageBlob('segmentBlobTrigger', {
  path: 'segments/{segment}/{file}',
  connection: 'AzureWebJobsStorage',
  source: 'EventGrid',
  extraInputs: [df.input.durableClient()],
  handler: async (_blob: unknown, context: InvocationContext) => {
    const { segment, file } = metadataSchema.parse(context.triggerMetadata);
    const outcome = await onSegmentFile(getServices(), runStarter(df.getClient(context)), `${segment}/${file}`);
    if ('ignored' in outcome) {
      // A warning, not a note: a file dropped with the wrong extension is a mistake someone has to see.
      context.warn(`segments/${segment}/${file} ignored: ${outcome.ignored}`);
      return;
    }
    for (const run of outcome.runs) {
      context.log(run.started ? `started run ${run.run.id} of export ${run.run.exportId}` : `export already running (${run.activeRunId})`);
    }
  },
});
