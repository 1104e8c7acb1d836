import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/** What only Node or Electron provide: never in the renderer or src/shared. */
const NODE_ONLY = [
  {
    group: ['electron', 'electron/*'],
    message: 'Electron is main’s: reach it through window.api.'
  },
  {
    regex:
      '^(node:.*|fs|fs/promises|path|os|child_process|crypto|http|https|net|stream|url|util|worker_threads)$',
    message: 'Node built-ins are main’s or the server’s, not available here.'
  }
]

/**
 * src/shared imports nothing but src/shared: no package (not even React) and no relative path
 * that climbs out of it. `depth` is how many folders below src/ the linted file sits.
 */
function sharedOnly(depth) {
  return [
    ...NODE_ONLY,
    {
      regex: '^[^.]',
      message: 'src/shared is pure TypeScript used everywhere: it imports no package.'
    },
    {
      regex: `^(\\.\\./){${depth},}`,
      message: 'src/shared imports nothing from outside src/shared; move the code into it instead.'
    }
  ]
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'library-data/**', 'tests/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'tests/e2e/harness/client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn'
    }
  },
  // ---- Boundaries: renderer → shared ← main, preload → shared, server → shared (DESIGN.md) ----
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...NODE_ONLY,
            {
              regex: '^(\\.\\./)+(main|preload)(/|$)',
              message:
                'The renderer reaches main only through window.api (src/shared/ipc.ts); move what both need into src/shared.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(main|renderer)(/|$)',
              message: 'The preload exposes the contract in src/shared/ipc.ts and nothing else.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(renderer|preload)(/|$)',
              message:
                'Main talks to the renderer only through the IPC contract in src/shared/ipc.ts.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: 'The library server runs on plain Node.'
            },
            {
              regex: '(^|/)src/(main|preload|renderer)(/|$)',
              message:
                'The library server may use src/shared only (types and pure functions); move what both need there.'
            }
          ]
        }
      ]
    }
  },
  {
    // The shared layer runs everywhere: no Electron, no Node built-ins, no React, no package at
    // all, and nothing from outside src/shared.
    files: ['src/shared/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: sharedOnly(1) }] }
  },
  {
    files: ['src/shared/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: sharedOnly(2) }] }
  },
  {
    files: ['src/shared/*/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.*', message: 'Keep src/shared at most two folders deep.' }] }
      ]
    }
  }
)
