import type { IncomingMessage } from 'node:http';
import { leanEndpoint } from '../../relay/lean-intake';
import { endpointOf } from '../../relay/webhook-intake';

/** Which requests the relay answers on its lean path; everything else is Fastify's, with Fastify's own checks. */

const hubspot = endpointOf({ id: 'hubspot', role: 'crm', vendor: 'hubspot' }, 'secret');
const opts = { endpoints: new Map([['/webhooks/hubspot', hubspot]]), bodyLimitBytes: 1000 };
const plain = { method: 'POST', url: '/webhooks/hubspot', headers: { 'content-type': 'application/json', 'content-length': '120' } };
const lean = (changes: { method?: string; url?: string; headers?: Record<string, string | undefined> }) => {
  const req = { ...plain, ...changes, headers: { ...plain.headers, ...changes.headers } };
  for (const [name, value] of Object.entries(req.headers)) if (value === undefined) delete req.headers[name as keyof typeof req.headers];
  return leanEndpoint(req as unknown as IncomingMessage, opts);
};

test('a POST of JSON with a declared length within the limit, to an endpoint, is taken', () => {
  expect(lean({})).toBe(hubspot);
  expect(lean({ headers: { 'content-type': 'application/json; charset=utf-8' } })).toBe(hubspot);
  expect(lean({ headers: { 'content-type': 'Application/JSON; Charset=UTF-8', 'content-length': '1000' } })).toBe(hubspot);
  expect(lean({ headers: { 'content-length': '0' } })).toBe(hubspot);
});

test.each([
  ['another method', { method: 'PUT' }],
  ['another path', { url: '/webhooks/shopify' }],
  ['a query string', { url: '/webhooks/hubspot?x=1' }],
  ['a trailing slash', { url: '/webhooks/hubspot/' }],
  ['an encoded path', { url: '/webhooks/hub%73pot' }],
  ['no declared length', { headers: { 'content-length': undefined } }],
  ['a chunked body', { headers: { 'transfer-encoding': 'chunked' } }],
  ['a length over the limit', { headers: { 'content-length': '1001' } }],
  ['a length that is not a number', { headers: { 'content-length': '1e2' } }],
  ['no content type', { headers: { 'content-type': undefined } }],
  ['a form body', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['another charset', { headers: { 'content-type': 'application/json; charset=latin1' } }],
  ['a malformed media type', { headers: { 'content-type': 'application/json;;' } }],
])('%s goes to Fastify', (_what, changes) => {
  expect(lean(changes)).toBeUndefined();
});
