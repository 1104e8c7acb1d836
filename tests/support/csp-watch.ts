/**
 * Catches Content-Security-Policy violations in every page a test opens: the page's
 * `securitypolicyviolation` events (reported through a Playwright binding, which the policy
 * cannot block) and Chromium's console errors for them ("Refused to load …", "Applying inline
 * style violates …"). tests/e2e/setup.ts installs it
 * on every browser the e2e tests launch and fails a test that leaves any behind.
 */
import type { BrowserContext, BrowserType } from 'playwright-core'

export interface CspViolation {
  /** The page it happened in. */
  readonly page: string
  /** What was refused, as the event or Chromium's console said it. */
  readonly message: string
}

const BINDING = '__sidecastCspViolation'
const WRAPPED = Symbol.for('sidecast.e2e.cspWatched')
// On globalThis: a worker may run several test files, each with its own copy of this module,
// and a browser launched by one keeps reporting here.
const STORE = Symbol.for('sidecast.e2e.cspViolations')

function store(): CspViolation[] {
  const global = globalThis as { [STORE]?: CspViolation[] }
  return (global[STORE] ??= [])
}

/** The violations seen since the last call, which forgets them. */
export function takeCspViolations(): CspViolation[] {
  return store().splice(0)
}

/** Chromium's console wording for a blocked load or inline code/style. */
const VIOLATION_MESSAGE = /^Refused to |violates the following Content Security Policy directive/

// Runs in the page before its own scripts (tests/ is compiled without the DOM library).
const LISTENER = `document.addEventListener('securitypolicyviolation', (e) => {
  window.${BINDING}(e.effectiveDirective + ' refused ' + (e.blockedURI || 'inline') +
    (e.sourceFile ? ' at ' + e.sourceFile + ':' + e.lineNumber : '') +
    (e.sample ? ' (' + e.sample + ')' : ''))
})`

/** Reports the CSP violations of every page of `context`. */
export async function watchCsp(context: BrowserContext): Promise<void> {
  await context.exposeBinding(BINDING, ({ page }, message: string) => {
    store().push({ page: page.url(), message })
  })
  await context.addInitScript(LISTENER)
  context.on('console', (message) => {
    if (VIOLATION_MESSAGE.test(message.text())) {
      store().push({ page: message.page()?.url() ?? '', message: message.text() })
    }
  })
}

/** Watches every context of every browser that `type.launch` starts from now on. */
export function watchEveryContext(type: BrowserType): void {
  const launch = type.launch as BrowserType['launch'] & { [WRAPPED]?: true }
  if (launch[WRAPPED]) return
  const watched: typeof launch = async (...args) => {
    const browser = await launch.apply(type, args)
    const newContext = browser.newContext.bind(browser)
    // Browser.newPage makes its context through newContext too.
    browser.newContext = async (...options) => {
      const context = await newContext(...options)
      await watchCsp(context)
      return context
    }
    return browser
  }
  watched[WRAPPED] = true
  type.launch = watched
}
