import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

/**
 * `npm run codegen`: prints the SDL to schema.graphql (committed; a test fails when it is stale)
 * and generates typed documents for the operations the tests send.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: ['test/operations/*.graphql'],
  generates: {
    'schema.graphql': { plugins: ['schema-ast'] },
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
          JSONObject: 'Record<string, unknown>',
          File: 'File',
          ID: 'string',
        },
      },
    },
  },
};

export default config;
