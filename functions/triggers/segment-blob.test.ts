import { ResourceFactoryResolver } from '../bindings/resource-factories.js';
import { BlobClient } from '@azure/storage-blob';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp, registeredProgrammingModel, type FunctionRegistry } from '../../dev/host/registry.js';
import { modelBindingInput, supportsDeferredBinding } from '../../dev/host/model-binding.js';
import { BLOB_BINDING_SOURCE, blobBindingData } from '../../shared/storage/blob-binding.js';

let registry: FunctionRegistry;
beforeAll(async () => {
  registry = await loadFunctionApp();
});

describe('segmentBlobTrigger registration', () => {
  /**
   * The metadata the real host reads, checked against the sources that produce and read it:
   * - Azure/azure-functions-nodejs-library, src/converters/toCoreFunctionMetadata.ts:
   *   `sdkBinding: true` becomes `properties: { supportsDeferredBinding: 'true' }` on the
   *   trigger (the string, not a boolean), the type gets its `Trigger` suffix, direction `in`.
   * - Azure/azure-functions-host, src/WebJobs.Script/Description/Binding/BindingMetadata.cs:
   *   `SupportsDeferredBinding` is read from `properties` (keys case-insensitive) with
   *   `Utility.TryReadAsBool`, so `'true'` counts.
   * - Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.Storage.Blobs,
   *   BlobTriggerAttribute: `path`, `connection` and `source` (`EventGrid`, which Flex
   *   Consumption requires; its webhook is infra/modules/blob-events.bicep).
   */
  it('asks for deferred binding on the Event Grid source, as the host expects', () => {
    const fn = registry.get('segmentBlobTrigger');
    expect(fn.trigger).toEqual({
      name: expect.any(String),
      type: 'blobTrigger',
      direction: 'in',
      path: 'segments/{segment}/{file}',
      connection: 'AzureWebJobsStorage',
      source: 'EventGrid',
      sdkBinding: true,
      properties: { supportsDeferredBinding: 'true' },
    });
    expect(supportsDeferredBinding(fn.trigger)).toBe(true);
    // The durable client input is not deferred and carries no binding expression (the host
    // skips deferred binding for functions whose other bindings use trigger expressions).
    const others = Object.values(fn.metadata.bindings).filter((b) => b !== fn.trigger);
    expect(others).toEqual([expect.objectContaining({ type: 'durableClient', direction: 'in', properties: { supportsDeferredBinding: 'false' } })]);
    expect(JSON.stringify(others)).not.toMatch(/\{segment\}|\{file\}/);
  });

  it("the worker's own conversion (@azure/functions InvocationModel) turns the host's model binding data into a BlobClient", async () => {
    const fn = registry.get('segmentBlobTrigger');
    const triggerName = Object.entries(fn.metadata.bindings).find(([, b]) => b === fn.trigger)![0];
    const connection = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
    // An InvocationRequest as the host sends it over gRPC for a deferred blob trigger.
    const invocation = registeredProgrammingModel()!.getInvocationModel({
      invocationId: 'invocation-1',
      metadata: fn.metadata,
      request: {
        inputData: [{ name: triggerName, data: { modelBindingData: blobBindingData({ connection, containerName: 'segments', blobName: 'vip/a.csv' }) } }],
        triggerMetadata: { segment: { string: 'vip' }, file: { string: 'a.csv' } },
      },
      log: () => undefined,
    });
    const { inputs } = await invocation.getArguments();
    expect(inputs[0]).toBeInstanceOf(BlobClient);
    expect((inputs[0] as BlobClient).url).toBe('http://127.0.0.1:10000/devstoreaccount1/segments/vip/a.csv');
  });

  it('turns the host model binding data into a BlobClient through the registered factory', () => {
    expect(ResourceFactoryResolver.getInstance().hasResourceFactory(BLOB_BINDING_SOURCE)).toBe(true);
    const connection = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
    const client = modelBindingInput(blobBindingData({ connection, containerName: 'segments', blobName: 'vip/a.csv' }));
    expect(client).toBeInstanceOf(BlobClient);
    expect((client as BlobClient).name).toBe('vip/a.csv');
  });
});
