// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The web console runs in the browser.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        localStorage: 'readonly',
        navigator: 'readonly',
        location: 'readonly',
        EventSource: 'readonly',
        FormData: 'readonly',
        Blob: 'readonly',
        File: 'readonly',
        AbortController: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        requestAnimationFrame: 'readonly',
        Intl: 'readonly',
        React: 'readonly',
      },
    },
  },
  {
    // Tests read JSON bodies loosely; the API's shapes are checked by their assertions.
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The domain core is pure: no I/O, no framework, nothing outside core/ (docs/architecture.md).
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'http', 'tls', 'child_process', 'os', 'path'],
              message: 'core/ is pure: no I/O modules.',
            },
            {
              group: [
                'fastify',
                'fastify/*',
                '@fastify/*',
                'kysely',
                'pg',
                'better-sqlite3',
                'smpp',
                'pino',
              ],
              message: 'core/ imports no framework, store or protocol.',
            },
            {
              group: [
                '**/services/**',
                '**/events/**',
                '**/store/**',
                '**/servers/**',
                '**/channels/**',
                '**/protocols/**',
                '**/simulator/**',
                '**/cli/**',
                '**/roles/**',
                '**/config*',
              ],
              message: 'core/ imports only core/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Wire formats know nothing of the platform.
    files: ['src/protocols/**/*.ts'],
    ignores: ['src/protocols/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/core/**',
                '**/services/**',
                '**/events/**',
                '**/store/**',
                '**/servers/**',
                '**/channels/**',
                '**/simulator/**',
                '**/cli/**',
                '**/roles/**',
              ],
              message: 'protocols/ imports nothing from the rest of src/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Transports reach the database through services (docs/architecture.md).
    files: ['src/servers/**/*.ts'],
    ignores: ['src/servers/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**'],
              message: 'servers/ use services (services/repositories.ts names the store types).',
            },
          ],
        },
      ],
    },
  },
);
