import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each app and library is entered only through its public entrance: the `#name` subpath import declared in
// package.json (its src/index.ts). A relative path that climbs out of a file's own project and back into a
// `src` folder reaches into another project's inside, and so does a deep `#name/...` specifier.
export const entrancePatterns = [
  {
    regex: '^(\\.\\./)+(.*/)?src(/|$)',
    message:
      "Reaches into another app's or library's inside; import its public entrance (#api, #physics, ...).",
  },
  { regex: '^#[^/]+/', message: 'Deep import past a public entrance; import the entrance itself (#name).' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'apps/dashboard/dist/**', 'data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', 'examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: entrancePatterns }],
      // no-restricted-imports does not see import(): the same two patterns for dynamic imports.
      'no-restricted-syntax': [
        'error',
        ...entrancePatterns.map(({ regex, message }) => ({
          selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`,
          message,
        })),
      ],
    },
  },
  {
    // The physics core stays pure: no I/O, no framework, no clock.
    files: ['libs/physics/**/*.ts', 'libs/cycles/**/*.ts'],
    ignores: ['libs/cycles/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...entrancePatterns,
            { group: ['node:*', 'fs', 'net', 'http', 'mqtt', '@nestjs/*', '@duckdb/*', '@tensorflow/*'] },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Date', 'performance', 'setTimeout', 'setInterval'],
    },
  },
);
