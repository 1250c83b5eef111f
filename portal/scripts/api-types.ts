import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

// The Function App is CommonJS: required (not imported) so the routes it registers and the
// document built from them come from one module instance, as when the host loads the app.
const require = createRequire(import.meta.url);

/**
 * The portal's API types, generated from the app's own OpenAPI document, so the portal
 * never carries a hand-written copy of an API shape. `npm run generate:api -w portal`
 * rewrites the file; a test fails when it is stale.
 */
export const API_TYPES_FILE = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));

const HEADER = '// Generated from GET /api/openapi.json by portal/scripts/api-types.ts. Do not edit: run `npm run generate:api -w portal`.\n\n';

export async function generateApiTypes(): Promise<string> {
  require('../../functions/index.ts');
  const { openApiDocument } = require('../../functions/http/openapi.ts') as typeof import('../../functions/http/openapi.js');
  const ast = await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0]);
  return HEADER + astToString(ast);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateApiTypes().then(
    (types) => {
      writeFileSync(API_TYPES_FILE, types);
      console.log(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
