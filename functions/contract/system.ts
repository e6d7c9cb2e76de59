import * as z from '../core/zod.js';
import { defineOperation } from './operation.js';

export const getOpenApiOperation = defineOperation({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'none',
  summary: 'This API as an OpenAPI 3.1 document, generated from the schemas the handlers validate with.',
  tag: 'system',
  responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
});

/** Answers every request that matches no route (API Gateway's `$default` route). Not in the document. */
export const notFoundOperation = defineOperation({
  operationId: 'notFound',
  method: 'GET',
  path: '$default',
  auth: 'none',
  summary: 'No such route.',
  tag: 'system',
  responses: {},
});
