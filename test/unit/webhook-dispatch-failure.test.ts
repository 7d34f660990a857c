import { classifyHandOverError, describeError, retryDelayMs } from '../../relay/dispatch-failure';

describe('judging a failed hand-over to Temporal', () => {
  const grpc = (code: number, message: string) => Object.assign(new Error(message), { code });

  it('calls gRPC UNAVAILABLE and refused connections an outage, wherever they sit in the cause chain', () => {
    expect(classifyHandOverError(grpc(14, '14 UNAVAILABLE: No connection established'))).toBe('unreachable');
    expect(classifyHandOverError(new Error('Update-With-Start failed', { cause: grpc(14, 'x') }))).toBe('unreachable');
    expect(classifyHandOverError(new Error('connect ECONNREFUSED 127.0.0.1:7233'))).toBe('unreachable');
  });
  it('calls a deadline or an update RPC timeout a timeout, to be told apart by a probe', () => {
    expect(classifyHandOverError(grpc(4, '4 DEADLINE_EXCEEDED: Deadline exceeded'))).toBe('timeout');
    const updateTimeout = Object.assign(new Error('Workflow update call timeout or cancelled'), { name: 'WorkflowUpdateRPCTimeoutOrCancelledError' });
    expect(classifyHandOverError(updateTimeout)).toBe('timeout');
  });
  it('calls anything else an error that counts', () => {
    expect(classifyHandOverError(new Error('Update-With-Start failed', { cause: grpc(3, '3 INVALID_ARGUMENT: WorkflowId length exceeds limit.') }))).toBe('error');
    expect(classifyHandOverError('boom')).toBe('error');
  });
  it('describes an error with its causes, without repeating a message', () => {
    expect(describeError(new Error('Update-With-Start failed', { cause: grpc(3, '3 INVALID_ARGUMENT: too long') }))).toBe('Update-With-Start failed: 3 INVALID_ARGUMENT: too long');
    expect(describeError(new Error('same', { cause: new Error('same') }))).toBe('same');
    expect(describeError('plain')).toBe('plain');
  });
  it('backs off from 0.5 s, doubling, up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 5000))).toEqual([500, 1000, 2000, 4000, 5000]);
    expect(retryDelayMs(0, 5000)).toBe(500);
    expect(retryDelayMs(1000, 15_000)).toBe(15_000);
  });
});
