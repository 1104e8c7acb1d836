/** The drawing tools' icons (decorative: the tool buttons carry the names). */
import type { ReactNode } from 'react'
import { Icon } from '../ui/icons'
import type { Tool } from './overlay/types'

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
  return <Icon size="small">{TOOL_PATHS[tool]}</Icon>
}
