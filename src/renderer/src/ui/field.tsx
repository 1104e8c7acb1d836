/**
 * A form field: its label, the control, a hint under it and the error that belongs to it, wired
 * together for assistive tech (the label names the control, the hint and the error describe it,
 * and the control is marked invalid while the error shows). The control is the caller's: it gets
 * the ids and ARIA attributes to spread onto it.
 */
import { useId } from 'react'
import type { InputHTMLAttributes, ReactNode } from 'react'

/** What the control must carry: spread it onto the input, select or textarea. */
export interface FieldControl {
  readonly id: string
  readonly 'aria-describedby': string | undefined
  readonly 'aria-invalid': true | undefined
}

export interface FieldProps {
  readonly label: ReactNode
  /** Shown under the control and read with it; none when absent. */
  readonly hint?: ReactNode
  /** `warning` shows the hint as a caution (e.g. ffmpeg was not found). */
  readonly hintTone?: 'normal' | 'warning'
  /** The problem with this field, announced when it appears; none when null. */
  readonly error?: string | null
  /** Marks the control invalid although the error is shown elsewhere (e.g. under the form). */
  readonly invalid?: boolean
  readonly children: (control: FieldControl) => ReactNode
}

export function Field(props: FieldProps): ReactNode {
  const id = useId()
  const { hint, error } = props
  const hintId = hint ? `${id}-hint` : null
  const errorId = error ? `${id}-error` : null
  const describedBy = [hintId, errorId].filter((part) => part !== null).join(' ')
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': error || props.invalid ? true : undefined
      })}
      {hintId && (
        <p className={props.hintTone === 'warning' ? 'hint warning-text' : 'hint'} id={hintId}>
          {hint}
        </p>
      )}
      {errorId && <ErrorText id={errorId} message={error} />}
    </div>
  )
}

/** A field of one `<input>`; `onValue` gets what is typed. Other props go to the input. */
export function InputField(
  props: Omit<FieldProps, 'children'> &
    Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> & {
      value: string
      onValue: (value: string) => void
    }
): ReactNode {
  const { label, hint, hintTone, error, invalid, value, onValue, ...input } = props
  return (
    <Field label={label} hint={hint} hintTone={hintTone} error={error} invalid={invalid}>
      {(control) => (
        <input {...input} {...control} value={value} onChange={(e) => onValue(e.target.value)} />
      )}
    </Field>
  )
}

/** A field choosing one of `choices` from a drop-down list. */
export function SelectField<T extends string>(props: {
  label: ReactNode
  choices: readonly { readonly value: T; readonly label: string }[]
  value: T
  onChange: (value: T) => void
}): ReactNode {
  return (
    <Field label={props.label}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value as T)}
        >
          {props.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

/** A problem in words, announced when it appears; nothing when there is none. */
export function ErrorText({ message, id }: { message?: string | null; id?: string }): ReactNode {
  if (!message) return null
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  )
}
