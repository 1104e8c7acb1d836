/**
 * Settings › Record shortcut as "press the keys": focus the field (or click Change) and press the
 * combination; it shows the way the platform writes it (Ctrl+Shift+R, ⌘⇧R) and the draft holds
 * the Electron accelerator (CommandOrControl+Shift+R). Escape undoes what was pressed since the
 * field got the focus (a second Escape closes Settings), Backspace or Delete puts the default
 * back, Tab moves on as everywhere. Whether the OS or another app holds the combination is only
 * known when main registers it on Save, and said there.
 */
import { useId, useRef, useState } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'
import { DEFAULT_SETTINGS } from '../../../shared/settings'
import { ErrorText } from '../ui/field'
import { acceleratorLabel, keyPressToAccelerator, pendingLabel } from './shortcut-keys'

export interface ShortcutFieldProps {
  /** The accelerator. */
  readonly value: string
  readonly onChange: (accelerator: string) => void
  readonly platform: string
  /** A problem from main on Save (e.g. taken by another app). */
  readonly error?: string | null
}

export function ShortcutField({ value, onChange, platform, error }: ShortcutFieldProps): ReactNode {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const atFocus = useRef(value)
  const [pending, setPending] = useState('')
  const [refused, setRefused] = useState<string | null>(null)
  const [recording, setRecording] = useState(false)
  const problem = refused ?? error ?? null

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    const plainTab = event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey
    if (plainTab) return
    const result = keyPressToAccelerator(event, platform)
    if (result.kind === 'cancel') {
      // Undo a change first; with nothing to undo, Escape closes Settings as usual.
      if (value === atFocus.current && !pending && !refused) return
      event.preventDefault()
      onChange(atFocus.current)
      setPending('')
      setRefused(null)
      return
    }
    event.preventDefault()
    event.stopPropagation()
    if (result.kind === 'pending') {
      setPending(pendingLabel(result.modifiers, platform))
      return
    }
    setPending('')
    if (result.kind === 'refused') {
      setRefused(result.message)
      return
    }
    setRefused(null)
    onChange(result.kind === 'reset' ? DEFAULT_SETTINGS.recordShortcut : result.accelerator)
  }

  return (
    <div className="field">
      <label htmlFor={id}>Record shortcut</label>
      <div className="shortcut-row">
        <input
          ref={input}
          id={id}
          className="shortcut-input"
          type="text"
          readOnly
          data-settings-field="shortcut"
          value={pending || acceleratorLabel(value, platform)}
          data-accelerator={value}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ''}`}
          aria-invalid={problem ? true : undefined}
          onFocus={() => {
            atFocus.current = value
            setRecording(true)
          }}
          onBlur={() => {
            setRecording(false)
            setPending('')
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(event) => {
            // Modifiers let go without a key: show the shortcut again.
            if (!event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey) setPending('')
          }}
        />
        <button
          type="button"
          className="secondary-button"
          aria-label="Change the record shortcut"
          onClick={() => input.current?.focus()}
        >
          Change
        </button>
      </div>
      <p className="hint" id={`${id}-hint`}>
        {recording
          ? `Press the new keys now, such as ${acceleratorLabel(DEFAULT_SETTINGS.recordShortcut, platform)}. Escape undoes, Backspace puts the default back.`
          : 'Starts and stops recording from anywhere. Click the field or Change, then press the keys.'}
      </p>
      <ErrorText id={`${id}-error`} message={problem} />
    </div>
  )
}
