import { createRequire } from 'node:module';
import type * as ExtensionsBase from '@azure/functions-extensions-base';

/**
 * The resolver `@azure/functions` asks for SDK-type clients. It is a per-module singleton, and
 * the library (CommonJS) requires the package's CommonJS build; its ESM build (which only has a
 * default export) would be a second, empty registry. So everyone requires it the same way.
 */
const requireHere = createRequire(__filename);
export const { ResourceFactoryResolver } = requireHere('@azure/functions-extensions-base') as typeof ExtensionsBase;
export type { ModelBindingData } from '@azure/functions-extensions-base';
