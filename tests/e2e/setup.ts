/**
 * Shared by every e2e test file (vitest.config.ts): each page any test opens is watched for
 * Content-Security-Policy violations, and a test that leaves one behind fails. The harness and the
 * overlay page serve the app's own policy, so a style or script the app's page would refuse fails
 * here too.
 */
import { chromium } from 'playwright-core'
import { afterEach, expect } from 'vitest'
import { takeCspViolations, watchEveryContext } from '../support/csp-watch'

watchEveryContext(chromium)

afterEach(() => {
  expect(takeCspViolations(), 'Content-Security-Policy violations in the page').toEqual([])
})
