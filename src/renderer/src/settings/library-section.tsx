/**
 * Settings › Team library: the server's address, the access token (never shown once stored:
 * main does not send it), Test connection, Share while recording (read-only when the
 * administrator fixed it), and whether to copy the link after uploading.
 * The parent owns the draft and saves it with the rest of Settings.
 */
import { useId, useState } from 'react'
import type { ReactNode } from 'react'
import type { LibraryConfig, LibraryTestResult } from '../../../shared/ipc'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import { ErrorText, InputField } from '../ui/field'
import { completeLibraryAddress } from '../../../shared/library-address'
import type { LibraryDraft } from './library-form'
import {
  libraryTestPatch,
  libraryUrlProblem,
  shareWhileRecordingView,
  showsTokenInput,
  tokenStatusText
} from './library-form'

export interface LibrarySectionProps {
  /** What main says is configured (or a stand-in when it could not say: see `loadProblem`). */
  readonly config: LibraryConfig
  /** Why `library:get` failed, or null. */
  readonly loadProblem: string | null
  /** Null while `library:get` is on its way. */
  readonly loaded: boolean
  readonly draft: LibraryDraft
  readonly onDraftChange: (draft: LibraryDraft) => void
  readonly copyLinkAfterUpload: boolean
  readonly onCopyLinkChange: (value: boolean) => void
  /** The draft's Share while recording (saved with the rest of Settings). */
  readonly shareWhileRecording: boolean
  readonly onShareWhileRecordingChange: (value: boolean) => void
  /** The draft's "Notify me about activity on my videos and requests" (saved with Settings). */
  readonly notifyActivity: boolean
  readonly onNotifyActivityChange: (value: boolean) => void
  /** A problem saving the library settings, shown in this section. */
  readonly saveProblem: string | null
  /** Why Save's check refused the address (shown and announced at the Server URL field). */
  readonly urlError?: string | null
  /** Why Save's check refused the token (shown and announced at the Access token field). */
  readonly tokenError?: string | null
  readonly disabled: boolean
}

type TestState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'testing' }
  | { readonly phase: 'done'; readonly result: LibraryTestResult }

export function LibrarySection(props: LibrarySectionProps): ReactNode {
  const { config, loadProblem, loaded, draft, onDraftChange, disabled } = props
  const [test, setTest] = useState<TestState>({ phase: 'idle' })
  const ids = {
    legend: useId(),
    token: useId(),
    copy: useId(),
    share: useId(),
    shareHint: useId(),
    notify: useId(),
    notifyHint: useId(),
    tokenStatus: useId(),
    tokenError: useId()
  }
  const change = (next: Partial<LibraryDraft>): void => {
    onDraftChange({ ...draft, ...next })
    // A result for other values would mislead.
    if (test.phase === 'done') setTest({ phase: 'idle' })
  }

  const runTest = (): void => {
    const url = config.managed.url ? draft.url : completeLibraryAddress(draft.url)
    const typed = { ...draft, url }
    if (url !== draft.url) onDraftChange(typed)
    const urlProblem = config.managed.url ? null : libraryUrlProblem(url)
    if (urlProblem) {
      setTest({ phase: 'done', result: { ok: false, message: urlProblem } })
      return
    }
    if (!config.managed.url && !url) {
      setTest({
        phase: 'done',
        result: { ok: false, message: 'Type the library’s address first, then test it.' }
      })
      return
    }
    setTest({ phase: 'testing' })
    api
      .invoke('library:test', libraryTestPatch(config, typed))
      .then((result) => setTest({ phase: 'done', result }))
      .catch((failure: unknown) =>
        setTest({
          phase: 'done',
          result: {
            ok: false,
            message: `The connection could not be tested. ${errorMessage(failure)}`
          }
        })
      )
  }

  const tokenText = tokenStatusText(config, draft)
  const share = shareWhileRecordingView(config, props.shareWhileRecording)
  const tokenInput = showsTokenInput(config, draft)

  return (
    <fieldset className="settings-section" disabled={disabled}>
      <legend id={ids.legend}>Team library</legend>
      <p className="hint">Where uploads go. Ask your team for the address and an access token.</p>

      {!loaded && <p className="muted">Checking the library settings…</p>}
      {loadProblem && (
        <p className="warning-note">Sidecast could not read the library settings. {loadProblem}</p>
      )}

      <InputField
        label="Server URL"
        hint={config.managed.url ? 'Set by your administrator.' : undefined}
        type="url"
        inputMode="url"
        spellCheck={false}
        autoComplete="off"
        placeholder="https://library.example.com"
        value={draft.url}
        readOnly={config.managed.url}
        error={props.urlError}
        data-settings-field="library-url"
        onValue={(url) => change({ url })}
        onBlur={() => {
          // The address as it will be used: the scheme filled in when it was left out.
          const url = completeLibraryAddress(draft.url)
          if (!config.managed.url && url !== draft.url) change({ url })
        }}
      />

      <div className="field">
        {tokenInput ? (
          <>
            <label htmlFor={ids.token}>Access token</label>
            <input
              id={ids.token}
              type="password"
              spellCheck={false}
              autoComplete="off"
              value={draft.token}
              placeholder={
                config.hasToken ? 'Type the new token' : 'Paste the token from the library'
              }
              data-settings-field="library-token"
              onChange={(e) => change({ token: e.target.value })}
              aria-describedby={
                [tokenText ? ids.tokenStatus : '', props.tokenError ? ids.tokenError : '']
                  .filter(Boolean)
                  .join(' ') || undefined
              }
              aria-invalid={props.tokenError ? true : undefined}
            />
            <ErrorText id={ids.tokenError} message={props.tokenError} />
          </>
        ) : (
          <span className="field-label" id={`${ids.token}-label`}>
            Access token
          </span>
        )}
        {tokenText && (
          <div className="token-row">
            <p id={ids.tokenStatus} className="token-status">
              {tokenText}
            </p>
            {!config.managed.token &&
              config.hasToken &&
              draft.tokenMode === 'keep' &&
              (['Replace', 'Forget'] as const).map((verb) => (
                <button
                  key={verb}
                  type="button"
                  className="secondary-button"
                  onClick={() =>
                    change({ tokenMode: verb === 'Replace' ? 'replace' : 'forget', token: '' })
                  }
                  aria-label={`${verb} the saved token`}
                >
                  {verb}
                </button>
              ))}
            {!config.managed.token && config.hasToken && draft.tokenMode !== 'keep' && (
              <button
                type="button"
                className="secondary-button"
                onClick={() => change({ tokenMode: 'keep', token: '' })}
              >
                Keep the saved token
              </button>
            )}
          </div>
        )}
        {config.managed.token && <p className="hint">Set by your administrator.</p>}
        {config.hasToken && !config.tokenEncrypted && (
          <p className="hint warning-text">
            The token is stored without OS encryption: this system offers no secure storage for it
            (such as a keyring).
          </p>
        )}
      </div>

      <div className="test-row">
        <button
          type="button"
          className="secondary-button"
          onClick={runTest}
          disabled={test.phase === 'testing'}
        >
          Test connection
        </button>
        <p
          role="status"
          className={
            test.phase === 'done'
              ? test.result.ok
                ? 'test-result test-ok'
                : 'test-result test-failed'
              : 'test-result'
          }
        >
          {test.phase === 'testing' ? 'Testing…' : test.phase === 'done' ? test.result.message : ''}
        </p>
      </div>

      <ErrorText message={props.saveProblem} />

      <div className="check-field">
        <input
          id={ids.share}
          type="checkbox"
          checked={share.checked}
          disabled={share.readOnly}
          aria-describedby={ids.shareHint}
          onChange={(e) => props.onShareWhileRecordingChange(e.target.checked)}
        />
        <label htmlFor={ids.share}>Share while recording</label>
      </div>
      <p className="hint check-hint" id={ids.shareHint}>
        Upload as you record, so the link is ready the moment you stop.
        {share.note && <> {share.note}</>}
      </p>

      <div className="check-field">
        <input
          id={ids.copy}
          type="checkbox"
          checked={props.copyLinkAfterUpload}
          onChange={(e) => props.onCopyLinkChange(e.target.checked)}
        />
        <label htmlFor={ids.copy}>Copy the link after uploading</label>
      </div>

      <div className="check-field">
        <input
          id={ids.notify}
          type="checkbox"
          checked={props.notifyActivity}
          aria-describedby={ids.notifyHint}
          onChange={(e) => props.onNotifyActivityChange(e.target.checked)}
        />
        <label htmlFor={ids.notify}>Notify me about activity on my videos and requests</label>
      </div>
      <p className="hint check-hint" id={ids.notifyHint}>
        Sidecast asks the library for news every 60 seconds while it runs and shows a system
        notification for each answer, comment or thanks; clicking one opens that moment in the
        library.
      </p>
    </fieldset>
  )
}
