import { ResourceFactoryResolver, type ModelBindingData } from '../../functions/bindings/resource-factories.js';

/**
 * What the Node worker does with a binding the host sent as `ModelBindingData` (deferred
 * binding, `supportsDeferredBinding: 'true'`): `@azure/functions` asks the factory that the
 * app registered in `@azure/functions-extensions-base` under the data's `source` for a client
 * (Azure/azure-functions-nodejs-library, src/converters/fromRpcTypedData.ts). The local host
 * hands functions the same client, never the data's target bytes.
 */
export function modelBindingInput(data: ModelBindingData): unknown {
  try {
    return ResourceFactoryResolver.getInstance().createClient(data.source, data);
  } catch (error) {
    throw new Error(`Unable to create client from model binding data (source '${data.source}'): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The binding asked for deferred binding: `@azure/functions` sets this for `sdkBinding: true`. */
export function supportsDeferredBinding(binding: object): boolean {
  const properties = ((binding as { properties?: unknown }).properties ?? {}) as Record<string, unknown>;
  // The host reads the key case-insensitively and the value as a boolean or its string form.
  const entry = Object.entries(properties).find(([key]) => key.toLowerCase() === 'supportsdeferredbinding');
  return entry !== undefined && String(entry[1]).toLowerCase() === 'true';
}
