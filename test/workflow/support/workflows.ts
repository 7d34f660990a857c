/** The worker's workflows in these tests: the production ones, plus a small flow that drives the runtime directly. */
export * from '../../../workflows';
export { runtimeProbe } from './runtime-probe-workflow';
