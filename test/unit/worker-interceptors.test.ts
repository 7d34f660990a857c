import { workerInterceptors } from '../../observability/worker-observability';

describe('worker interceptors', () => {
  it('leave OpenTelemetry out of the workflow bundle and the activities when tracing is off', () => {
    const off = workerInterceptors({ enabled: false });
    expect(off.workflowModules).toHaveLength(1);
    expect(off.workflowModules!.join()).not.toMatch(/opentelemetry/);
    expect(off.activity).toHaveLength(1);
  });

  it('add OpenTelemetry workflow spans and activity spans when tracing is on', () => {
    const on = workerInterceptors({ enabled: true });
    expect(on.workflowModules).toHaveLength(2);
    expect(on.workflowModules![0]).toMatch(/interceptors-opentelemetry/);
    expect(on.activity).toHaveLength(2);
  });
});
