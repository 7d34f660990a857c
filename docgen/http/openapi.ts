import { z } from 'zod';
import type { RouteDoc, ServiceRoutes } from './routes';

/**
 * An OpenAPI 3.1 document of one service, from its real routes and the zod schemas of their queries and answers
 * (`z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses it). Answers become named components.
 */

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const pascal = (text: string) => text.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());

export function operationId(method: string, path: string): string {
  const words = path.split('/').filter(Boolean).map((p) => p.replace(/[{}]/g, ''));
  return `${method.toLowerCase()}${pascal(words.join('-')) || 'Root'}`;
}

function parameters(doc: RouteDoc): Json[] {
  const params: Json[] = [];
  for (const [name, p] of Object.entries(doc.pathParams ?? {})) {
    params.push({ name, in: 'path', required: true, description: p.description, schema: { type: 'string', ...(p.pattern ? { pattern: p.pattern } : {}) }, ...(p.example ? { example: p.example } : {}) });
  }
  if (doc.query) {
    const schema = jsonSchema(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: property });
    }
  }
  for (const [name, description] of Object.entries(doc.headers ?? {})) params.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  return params;
}

export function openApiDocument(service: ServiceRoutes, version: string): Json {
  const components: Record<string, Json> = {};
  const paths: Record<string, Record<string, Json>> = {};
  for (const { method, path, doc } of service.routes) {
    const id = operationId(method, path);
    const responses: Record<string, Json> = {};
    for (const [status, answer] of Object.entries(doc.responses).sort(([a], [b]) => Number(a) - Number(b))) {
      let content: Json | undefined;
      if (answer.schema) {
        const name = `${pascal(id)}${status}`;
        components[name] = jsonSchema(answer.schema, 'output');
        content = { [answer.contentType ?? 'application/json']: { schema: { $ref: `#/components/schemas/${name}` } } };
      } else if (answer.contentType) {
        content = { [answer.contentType]: {} };
      }
      responses[status] = { description: answer.description, ...(content ? { content } : {}) };
    }
    const params = parameters(doc);
    paths[path] ??= {};
    paths[path]![method.toLowerCase()] = {
      operationId: id,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(doc.requestBody ? { requestBody: { required: true, description: doc.requestBody.description, content: { [doc.requestBody.contentType]: { schema: {} } } } } : {}),
      ...(doc.security ? { security: [{ token: [] }, { tokenQuery: [] }] } : {}),
      responses,
    };
  }
  const usesToken = service.routes.some((r) => r.doc.security);
  return {
    openapi: '3.1.0',
    info: { title: `Integration engine: ${service.title}`, version, description: `Generated from the code by \`npm run docs:generate\` (docgen/); do not edit.` },
    servers: [service.server],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))),
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : 1))),
      ...(usesToken ? {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'DASHBOARD_TOKEN; required when configured (always when bound beyond loopback)' },
          tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'the same token as ?token=' },
        },
      } : {}),
    },
  };
}
