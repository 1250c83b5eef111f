import { app, type InvocationContext } from '@azure/functions';
import { BlobClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../../shared/services.js';
import { onSegmentFile } from '../../shared/pipeline/runs/segment-refresh.js';
import { STORAGE_CONNECTION } from '../bindings/blob-client.js';
import { runStarter } from '../orchestrators/starter.js';

// `{segment}` and `{file}` come from the blob path; the host puts them in the trigger metadata.
const metadataSchema = z.object({ segment: z.string().min(1), file: z.string().min(1) });
const blobSchema = z.instanceof(BlobClient, { message: 'expected a BlobClient (sdkBinding): is functions/bindings/blob-client.ts loaded?' });

/**
 * A segment file landed. In Azure the Flex Consumption plan delivers blob events through
 * Event Grid (`source: 'EventGrid'`, subscription in infra/); the local host polls Azurite.
 * `sdkBinding: true` makes the host send a reference to the blob (model binding data) that
 * our factory turns into a `BlobClient`: the host never downloads the file, and the worker
 * never receives its bytes. The run streams the file itself.
 */
app.storageBlob('segmentBlobTrigger', {
  path: 'segments/{segment}/{file}',
  connection: STORAGE_CONNECTION,
  source: 'EventGrid',
  sdkBinding: true,
  extraInputs: [df.input.durableClient()],
  handler: async (input: unknown, context: InvocationContext) => {
    const blob = blobSchema.parse(input);
    const { segment, file } = metadataSchema.parse(context.triggerMetadata);
    const outcome = await onSegmentFile(getServices(), runStarter(df.getClient(context)), blob.name);
    if ('ignored' in outcome) {
      // A warning, not a note: a file dropped with the wrong extension is a mistake someone has to see.
      context.warn(`segments/${segment}/${file} ignored: ${outcome.ignored}`);
      return;
    }
    if ('suppressions' in outcome) {
      const { added, already, invalid } = outcome.suppressions;
      context.log(`suppression list ${segment}/${file}: ${added} added, ${already} already suppressed, ${invalid} rows without an address`);
      return;
    }
    for (const run of outcome.runs) {
      context.log(
        run.started
          ? `started run ${run.run.id} of export ${run.run.exportId}`
          : `a run is active (${run.activeRunId}); ${run.followUp ? 'a follow-up run will read this file when it ends' : 'not started'}`,
      );
    }
  },
});
