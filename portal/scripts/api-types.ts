import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';


/**
 * The portal's API types, generated from the app's own OpenAPI document, so the portal
 * never carries a hand-written copy of an API shape. `npm run generate:api -w portal`
 * rewrites the file; a test fails when it is stale.
 */
export const API_TYPES_FILE = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));

const HEADER = '// Generated from GET /api/openapi.json by portal/scripts/api-types.ts. Do not edit: run `npm run generate:api -w portal`.\n\n';

export async function generateApiTypes(): Promise<string> {
  // Loading the app registers every route, as the host does; no host needs to run.
  await import('../../functions/index.js');
  const { openApiDocument } = await import('../../functions/http/openapi.js');
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
