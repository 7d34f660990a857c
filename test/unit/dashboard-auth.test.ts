import { kpisQuery, issuesQuery, queryProblem, windowQuery } from '../../dashboard/api';
import { bindingProblem, isLoopbackHost, presentedToken, tokenMatches } from '../../dashboard/auth';
import { issueWorkflowId, temporalWorkflowUrl } from '../../dashboard/links';

describe('dashboard access', () => {
  it('tells loopback bind addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'dashboard.example.com', '128.0.0.1']) expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
  });

  it('refuses to start beyond loopback without a token, naming the setting and the fix', () => {
    expect(bindingProblem('127.0.0.1', undefined)).toBeUndefined();
    expect(bindingProblem('0.0.0.0', 'a-long-enough-secret')).toBeUndefined();
    expect(bindingProblem('0.0.0.0', undefined)).toMatch(/^DASHBOARD_TOKEN is not set, but DASHBOARD_HOST=0\.0\.0\.0 .*openssl rand -hex 32.*or bind the dashboard to 127\.0\.0\.1$/);
  });

  it('takes the token from a bearer header first, else from ?token=', () => {
    expect(presentedToken('Bearer abc', 'xyz')).toBe('abc');
    expect(presentedToken('bearer abc ', undefined)).toBe('abc');
    expect(presentedToken('Basic abc', 'xyz')).toBe('xyz');
    expect(presentedToken(undefined, ['a', 'b'])).toBeUndefined();
    expect(presentedToken(undefined, '')).toBeUndefined();
  });

  it('accepts only the exact token', () => {
    expect(tokenMatches('s3cret-token-value', 's3cret-token-value')).toBe(true);
    for (const wrong of [undefined, '', 's3cret-token-valu', 's3cret-token-value ', 'S3CRET-TOKEN-VALUE']) expect({ wrong, ok: tokenMatches('s3cret-token-value', wrong) }).toEqual({ wrong, ok: false });
  });
});

describe('dashboard query parameters', () => {
  const problem = (schema: typeof kpisQuery | typeof issuesQuery | typeof windowQuery, query: Record<string, string>) => {
    const parsed = schema.safeParse(query);
    return parsed.success ? undefined : queryProblem(parsed.error);
  };

  it('defaults and coerces what a URL carries', () => {
    expect(kpisQuery.parse({})).toEqual({ hours: 24 });
    expect(issuesQuery.parse({ flow: 'order', olderThan: '2h', limit: '5', token: 't' })).toEqual({ status: 'open', flow: 'order', olderThan: '2h', limit: 5, token: 't' });
  });

  it('names the parameter that is wrong, unknown ones included', () => {
    expect(problem(kpisQuery, { hours: '0' })).toBe('hours: must be at least 1');
    expect(problem(kpisQuery, { hours: '1.5' })).toBe('hours: must be a whole number of hours');
    expect(problem(windowQuery, { hours: '9999' })).toBe('hours: must be at most 2160 (90 days)');
    expect(problem(issuesQuery, { olderThan: 'yesterday' })).toBe('olderThan: must be a duration such as 90s, 45m, 2h, 3d or 1w');
    expect(problem(issuesQuery, { flow: 'Order; drop' })).toBe('flow: must be a lower-case name such as order or step-failed');
    expect(problem(issuesQuery, { status: 'closed' })).toMatch(/^status: /);
    expect(problem(kpisQuery, { hour: '24' })).toBe('unknown query parameter hour');
  });
});

describe('links to the Temporal UI', () => {
  it('builds the workflow page of the namespace, escaping the id', () => {
    expect(temporalWorkflowUrl({ baseUrl: 'http://127.0.0.1:8233/', namespace: 'default' }, 'order-shopify-1001'))
      .toBe('http://127.0.0.1:8233/namespaces/default/workflows/order-shopify-1001');
    expect(temporalWorkflowUrl({ baseUrl: 'https://ui.example.com', namespace: 'prod ns' }, 'a/b')).toBe('https://ui.example.com/namespaces/prod%20ns/workflows/a%2Fb');
    expect(temporalWorkflowUrl({ baseUrl: null, namespace: 'default' }, 'x')).toBeNull();
  });

  it('points a relay hand-over issue at the flow its event was meant for, if known', () => {
    expect(issueWorkflowId({ flow: 'order', workflowId: 'order-shopify-1', details: {} })).toBe('order-shopify-1');
    expect(issueWorkflowId({ flow: 'relay', workflowId: 'relay-inbox-7', details: { targetWorkflowId: 'order-shopify-2' } })).toBe('order-shopify-2');
    expect(issueWorkflowId({ flow: 'relay', workflowId: 'relay-inbox-7', details: {} })).toBeNull();
  });
});
