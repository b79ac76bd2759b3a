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
    files: ['collector/src/**/*.ts', 'decoder-wasm/src/**/*.ts', 'decoder-wasm/assembly/**/*.ts'],
    plugins: { layout },
    rules: { 'layout/product-only': 'error', 'layout/no-cycle': 'error' },
  },
  {
    // The decoder's AssemblyScript, linted as TypeScript against AssemblyScript's standard
    // library types (assembly/tsconfig.json, found by the project service).
    files: ['decoder-wasm/assembly/**/*.ts'],
    languageOptions: {
      // `@inline` on a function is AssemblyScript, not TypeScript: parse it anyway.
      parserOptions: { allowInvalidAST: true },
    },
    rules: {
      // <u32>x, <u64>x... convert between integer types that TypeScript sees as one number.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
)
