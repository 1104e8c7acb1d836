/** The editor's small line icons (decorative: the buttons carry the names). */
import type { ReactNode } from 'react'
import type { Tool } from './overlay/types'

const common = {
  width: 18,
  height: 18,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.8,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false
}

const TOOL_PATHS: Readonly<Record<Tool, ReactNode>> = {
  select: <path d="M6 3l12 9-5.5 1.2L15 19l-2.6 1.2-2.6-5.8L6 18z" />,
  arrow: <path d="M5 19L19 5M10 5h9v9" />,
  rect: <rect x="4" y="6" width="16" height="12" rx="1.5" />,
  callout: <path d="M4 5h16v10H10l-4 4v-4H4zM8 9h8M8 12h5" />,
  highlight: (
    <>
      <rect x="7" y="8" width="10" height="8" rx="1" />
      <path d="M3 3h18v18H3z" strokeDasharray="2 3" />
    </>
  ),
  blur: (
    <>
      <circle cx="8" cy="8" r="1.4" />
      <circle cx="16" cy="8" r="1.4" />
      <circle cx="12" cy="12" r="1.4" />
      <circle cx="8" cy="16" r="1.4" />
      <circle cx="16" cy="16" r="1.4" />
    </>
  ),
  step: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M10.5 9.5L12.5 8v8" />
    </>
  )
}

export function ToolIcon({ tool }: { tool: Tool }): ReactNode {
  return <svg {...common}>{TOOL_PATHS[tool]}</svg>
}

export function PlayGlyph(): ReactNode {
  return (
    <svg {...common} fill="currentColor" stroke="none">
      <path d="M8 5.5v13l10-6.5z" />
    </svg>
  )
}

export function PauseGlyph(): ReactNode {
  return (
    <svg {...common} fill="currentColor" stroke="none">
      <rect x="6.5" y="5" width="4" height="14" rx="1" />
      <rect x="13.5" y="5" width="4" height="14" rx="1" />
    </svg>
  )
}

export function FrameBackGlyph(): ReactNode {
  return (
    <svg {...common}>
      <path d="M6 5v14M18 6l-8 6 8 6z" />
    </svg>
  )
}

export function FrameForwardGlyph(): ReactNode {
  return (
    <svg {...common}>
      <path d="M18 5v14M6 6l8 6-8 6z" />
    </svg>
  )
}

export function UndoGlyph(): ReactNode {
  return (
    <svg {...common}>
      <path d="M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3" />
    </svg>
  )
}

export function RedoGlyph(): ReactNode {
  return (
    <svg {...common}>
      <path d="M15 14l5-5-5-5M20 9H10a6 6 0 000 12h3" />
    </svg>
  )
}
