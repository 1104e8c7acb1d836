/** The keyboard shortcuts, listed from the same table the key handler uses ("?" opens it). */
import { useId } from 'react'
import type { ReactNode } from 'react'
import { ModalDialog } from '../ui/modal-dialog'
import { SHORTCUTS, comboLabel, type ShortcutDef } from './shortcuts'

const EXTRA: readonly { group: string; keys: string[][]; description: string }[] = [
  {
    group: 'Trim and cut',
    keys: [['←'], ['→']],
    description: 'On a focused trim handle: move it a frame (a second with Shift)'
  },
  {
    group: 'Callouts',
    keys: [['↑'], ['↓']],
    description: 'On the timeline’s callout bars: go to the previous or next bar'
  },
  {
    group: 'Callouts',
    keys: [['Enter']],
    description: 'On a focused callout bar: select it (Shift adds it to the selection)'
  },
  {
    group: 'Callouts',
    keys: [['←'], ['→']],
    description: 'On a focused callout bar: move it 0.1 s (1 s with Shift)'
  },
  {
    group: 'Callouts',
    keys: [
      ['Alt', '←'],
      ['Alt', '→']
    ],
    description: 'On a focused callout bar: make it end earlier or later'
  }
]

export function ShortcutsDialog(props: { mac: boolean; onClose: () => void }): ReactNode {
  const titleId = useId()
  const groups = new Map<string, { keys: string[][]; description: string }[]>()
  const add = (group: string, row: { keys: string[][]; description: string }): void => {
    groups.set(group, [...(groups.get(group) ?? []), row])
  }
  for (const def of SHORTCUTS as readonly ShortcutDef[]) {
    add(def.group, {
      keys: def.keys.map((combo) => comboLabel(combo, props.mac)),
      description: def.description
    })
  }
  for (const row of EXTRA) add(row.group, row)

  return (
    <ModalDialog labelledBy={titleId} onClose={props.onClose} className="shortcuts-dialog">
      <div className="shortcuts-head">
        <h2 id={titleId}>Keyboard shortcuts</h2>
        <button type="button" className="secondary-button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <p className="hint">Shortcuts do not apply while you type in a text field.</p>
      <div className="shortcut-groups">
        {[...groups].map(([group, rows]) => (
          <section key={group} aria-label={group}>
            <h3 className="group-title">{group}</h3>
            <dl className="shortcut-list">
              {rows.map((row) => (
                <div className="shortcut-row" key={row.description}>
                  <dt>
                    {row.keys.map((combo, i) => (
                      <span key={combo.join('+')}>
                        {i > 0 && <span className="muted"> or </span>}
                        {combo.map((k, j) => (
                          <span key={k}>
                            {j > 0 && '+'}
                            <kbd>{k}</kbd>
                          </span>
                        ))}
                      </span>
                    ))}
                  </dt>
                  <dd>{row.description}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </ModalDialog>
  )
}
