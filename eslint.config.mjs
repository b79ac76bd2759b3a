import tseslint from 'typescript-eslint'
import layout from './tools/eslint/layout.mjs'

export default tseslint.config(
  {
    ignores: [
      'types/**',
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-test/**',
      '**/build/**',
      'decoder-wasm/assembly/**',
      'data/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    // The layout (ARCHITECTURE.md): product imports no test or tool code, and no cycles.
    files: ['collector/src/**/*.ts'],
    plugins: { layout },
    rules: { 'layout/product-only': 'error', 'layout/no-cycle': 'error' },
  },
)
