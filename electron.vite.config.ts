import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { DEV_SERVER_CONTENT_SECURITY_POLICY } from './src/main/electron/content-security-policy'

const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/

/**
 * The dev server's page gets a looser <meta> policy: Vite injects CSS as <style> elements and
 * React's Fast Refresh an inline script. Builds keep index.html's policy as it is.
 */
function devServerCsp(): Plugin {
  return {
    name: 'sidecast:dev-server-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      if (!CSP_META.test(html)) {
        throw new Error('src/renderer/index.html has lost its Content-Security-Policy <meta>.')
      }
      return html.replace(CSP_META, `$1${DEV_SERVER_CONTENT_SECURITY_POLICY}$2`)
    }
  }
}

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } }
    }
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // Sandboxed preloads can only be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react(), devServerCsp()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    }
  }
})
