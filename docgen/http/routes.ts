import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

/** A stand-in for the database: building the apps to read their routes queries nothing. */
export interface QueryOnly { query(...args: never[]): Promise<unknown> }

/** What the API documents say about one route; the route itself is read from the real Fastify app. */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** Path parameters (`{name}` in the documented path). */
  pathParams?: Record<string, { description: string; pattern?: string; example?: string }>;
  /** A zod object schema of the query string (the one the route validates with). */
  query?: z.ZodType;
  /** How the request body comes (raw, signed bytes for webhooks). */
  requestBody?: { contentType: string; description: string };
  /** Response bodies by status: a zod schema, or a description of a body with no schema (HTML, Prometheus text). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Header parameters, e.g. the vendors' signature headers. */
  headers?: Record<string, string>;
  security?: 'bearer-token';
}

export interface ServiceRoutes {
  /** The service's name and where it runs, for the document's headings and servers. */
  title: string;
  server: { url: string; description: string };
  routes: Array<{ method: string; path: string; doc: RouteDoc }>;
}

/** The routes a Fastify app serves, as `METHOD path` pairs (HEAD, which Fastify adds to every GET, left out). */
export async function routesOf(app: FastifyInstance): Promise<Array<{ method: string; path: string }>> {
  await app.ready();
  // printRoutes draws a tree: each line is a path segment below its parent (4 columns per level), with its methods.
  const printed = app.printRoutes({ commonPrefix: false });
  const routes: Array<{ method: string; path: string }> = [];
  const parents: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = Math.floor(match[1]!.length / 4);
    const path = (parents[depth - 1] ?? '') + match[2]!;
    parents[depth] = path;
    parents.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes.sort((a, b) => (`${a.path} ${a.method}` < `${b.path} ${b.method}` ? -1 : 1));
}

/** Pairs the app's routes with their documentation; a route without one (or documentation without a route) is an error. */
export function documented(
  service: string, file: string, routes: Array<{ method: string; path: string }>, docs: Record<string, RouteDoc>,
): Array<{ method: string; path: string; doc: RouteDoc }> {
  const keys = [...new Set(routes.map((r) => `${r.method} ${r.path}`))];
  const undocumented = keys.filter((k) => !docs[k]);
  if (undocumented.length > 0) throw new Error(`docgen: ${service} serves ${undocumented.join(', ')}, which ${file} does not describe`);
  const gone = Object.keys(docs).filter((k) => !keys.includes(k));
  if (gone.length > 0) throw new Error(`docgen: ${file} describes ${gone.join(', ')}, which ${service} does not serve`);
  return keys.map((k) => {
    const [method, path] = k.split(' ') as [string, string];
    return { method, path, doc: docs[k]! };
  });
}
