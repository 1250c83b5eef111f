import { ResourceFactoryResolver, type ModelBindingData } from './resource-factories.js';
import { BLOB_BINDING_SOURCE, BlobBindingClientFactory } from '../../shared/storage/blob-binding.js';

/**
 * Makes blob triggers with `sdkBinding: true` hand their handler a `BlobClient` instead of
 * the blob's bytes. `@azure/functions` turns the host's model binding data into a client
 * by asking `@azure/functions-extensions-base` for the factory registered under the data's
 * source; this is ours (the official `@azure/functions-extensions-blob` is not available to
 * us, and we only need a plain `BlobClient`). Imported by functions/index.ts before any
 * registration runs.
 */
export const STORAGE_CONNECTION = 'AzureWebJobsStorage';

const factory = new BlobBindingClientFactory(STORAGE_CONNECTION);
const resolver = ResourceFactoryResolver.getInstance();
if (!resolver.hasResourceFactory(BLOB_BINDING_SOURCE)) {
  resolver.registerResourceFactory(BLOB_BINDING_SOURCE, (data: ModelBindingData | ModelBindingData[]) => {
    // A blob trigger binds one blob; a collection only comes from input bindings we do not use.
    if (Array.isArray(data)) throw new Error('blob binding: a collection of blobs is not supported');
    return factory.create(data);
  });
}
