/** A group of radio choices, each a card with its label and a hint under it. */
import { useId } from 'react'
import type { ReactNode } from 'react'

export interface RadioChoice<T extends string> {
  readonly value: T
  readonly label: string
  /** Shown under the label; none when empty. */
  readonly hint?: string
}

export function ChoiceGroup<T extends string>(props: {
  legend: string
  choices: readonly RadioChoice<T>[]
  value: T
  onChange: (value: T) => void
}): ReactNode {
  const name = useId()
  return (
    <fieldset className="choice-group">
      <legend>{props.legend}</legend>
      {props.choices.map((choice) => (
        <label key={choice.value} className="choice">
          <input
            type="radio"
            name={name}
            value={choice.value}
            checked={props.value === choice.value}
            onChange={() => props.onChange(choice.value)}
          />
          <span className="choice-text">
            <span className="choice-label">{choice.label}</span>
            {choice.hint && <span className="hint">{choice.hint}</span>}
          </span>
        </label>
      ))}
    </fieldset>
  )
}
