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

/**
 * One module owns each outside dependency in main (DESIGN.md): everything else in src/main goes
 * through it. Each entry names the package and the files allowed to import it.
 */
const MAIN_OWNERS = [
  {
    module: 'electron',
    owners: ['src/main/electron/**', 'src/main/index.ts'],
    message: 'Electron stays at the edge: src/main/electron/ (and index.ts, which composes it).'
  },
  {
    module: 'electron-store',
    owners: ['src/main/index.ts'],
    message: 'Settings are built in index.ts and passed in as a SettingsStore.'
  },
  {
    module: 'fluent-ffmpeg',
    owners: ['src/main/ffmpeg/**'],
    message: 'ffmpeg is run only through src/main/ffmpeg/.'
  },
  {
    module: 'tus-js-client',
    owners: [
      'src/main/share/tus-layer.ts',
      'src/main/share/url-storage.ts',
      'src/main/share/http-stack.ts',
      'src/main/share/library-net.ts'
    ],
    message: 'tus-js-client is owned by src/main/share/tus-layer.ts.'
  },
  {
    module: '@resvg/resvg-js',
    owners: [],
    message: 'Callouts are rasterised only in src/engine/callout-raster.ts.'
  },
  {
    module: 'electron-updater',
    owners: ['src/main/electron/updater.ts'],
    message:
      'electron-updater is owned by src/main/electron/updater.ts; the update rules are in src/main/updates/.'
  }
]

/** Folders of main that hold only rules and state: pure, so their tests need no disk or network. */
const MAIN_PURE = [
  {
    files: ['src/main/updates/**/*.ts'],
    message:
      'src/main/updates/ holds the update rules and state, pure: the Electron edge (electron/updater.ts) passes in what they need.'
  }
]

/** The render engine's import rules; `allowed` names the packages the file owns. */
function engineRule(allowed) {
  const owned = [
    { module: 'fluent-ffmpeg', message: 'The engine runs ffmpeg only through run-ffmpeg.ts.' },
    {
      module: '@resvg/resvg-js',
      message: 'Callouts are rasterised only in src/engine/callout-raster.ts.'
    }
  ]
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['electron', 'electron/*'],
            message: 'The render engine runs on plain Node (the library server runs it too).'
          },
          {
            regex: '^(\\.\\./)+(main|preload|renderer|server)(/|$)',
            message:
              'The render engine imports only src/shared and itself: the app and the library server pass in what differs (ffmpeg, ffprobe, fonts).'
          },
          ...owned
            .filter((o) => !allowed.includes(o.module))
            .map((o) => ({ group: [o.module, `${o.module}/*`], message: o.message }))
        ]
      }
    ]
  }
}

/** The renderer's import rules, plus `more` patterns for a part of it. */
function rendererRule(more) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...NODE_ONLY,
          {
            regex: '^(\\.\\./)+(main|preload)(/|$)',
            message:
              'The renderer reaches main only through window.api (src/shared/ipc.ts); move what both need into src/shared.'
          },
          ...more
        ]
      }
    ]
  }
}

/**
 * True when the owner glob `owner` takes in everything `glob` names (the same glob, or a folder's
 * `/**` above it), so a file owning one package (electron/updater.ts) keeps its folder's (electron).
 */
function covers(owner, glob) {
  return owner === glob || (owner.endsWith('/**') && glob.startsWith(owner.slice(0, -2)))
}

/** Main's import rules: never the renderer or preload, and each package only from its owner. */
function mainBoundaries() {
  const rule = (allowed, more = []) => ({
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...more,
          {
            regex: '^(\\.\\./)+(renderer|preload)(/|$)',
            message:
              'Main talks to the renderer only through the IPC contract in src/shared/ipc.ts.'
          },
          ...MAIN_OWNERS.filter((o) => !allowed.includes(o.module)).map((o) => ({
            group: [o.module, `${o.module}/*`],
            message: o.message
          }))
        ]
      }
    ]
  })
  const owners = [...new Set(MAIN_OWNERS.flatMap((o) => o.owners))]
  return [
    { files: ['src/main/**/*.ts'], rules: rule([]) },
    ...owners.map((glob) => ({
      files: [glob],
      rules: rule(
        MAIN_OWNERS.filter((o) => o.owners.some((g) => covers(g, glob))).map((o) => o.module)
      )
    })),
    ...MAIN_PURE.map(({ files, message }) => ({
      files,
      rules: rule([], [{ regex: NODE_ONLY[1].regex, message }])
    }))
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
  { files: ['src/renderer/**/*.{ts,tsx}'], rules: rendererRule([]) },
  {
    // ui/ and lib/ serve every view, so they import none.
    files: ['src/renderer/src/ui/**/*.{ts,tsx}', 'src/renderer/src/lib/**/*.{ts,tsx}'],
    rules: rendererRule([
      {
        regex: '^\\.\\./(recorder|recordings|editor|export|share|settings)(/|$)',
        message: 'ui/ and lib/ serve every view; they import none.'
      }
    ])
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
  ...mainBoundaries(),
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
                'The library server may use src/shared (types and pure functions) and src/engine (the render engine); move what both need there.'
            }
          ]
        }
      ]
    }
  },
  {
    // The library's data layer is asynchronous (SQLite or PostgreSQL): a database call neither
    // awaited nor handed on is a lost write or a check that always passes. Type-aware, so only
    // here, where it matters most.
    files: ['server/src/**/*.ts', 'tests/server/**/*.ts', 'tests/bench/server*.ts'],
    // The watch page's browser script: built for the browser, not part of the Node project.
    ignores: ['server/src/pages/live/live-callouts.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.node.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error'
    }
  },
  // The render engine runs in the app's main process and in the library server: plain Node, no
  // Electron, nothing of either side; ffmpeg's and resvg's packages each from one file.
  { files: ['src/engine/**/*.ts'], rules: engineRule([]) },
  { files: ['src/engine/run-ffmpeg.ts'], rules: engineRule(['fluent-ffmpeg']) },
  { files: ['src/engine/callout-raster.ts'], rules: engineRule(['@resvg/resvg-js']) },
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
