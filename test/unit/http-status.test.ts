import { classifyStatus, parseRetryAfter } from '../../domain/http-status';

describe('HTTP status policy', () => {
  it.each([
    [200, 'ok'], [204, 'ok'], [400, 'permanent'], [401, 'permanent'], [404, 'permanent'], [408, 'retryable'],
    [409, 'retryable'], [429, 'rate-limited'], [500, 'retryable'], [503, 'retryable'],
  ])('%i is %s', (status, expected) => expect(classifyStatus(status)).toBe(expected));
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
