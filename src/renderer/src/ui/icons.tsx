/** Small line icons drawn inline (no icon font, no network). Decorative: always aria-hidden. */
import type { ReactNode } from 'react'

const common = {
  width: 28,
  height: 28,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.6,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true
}

export function ScreenIcon(): ReactNode {
  return (
    <svg {...common}>
      <rect x="3" y="4" width="18" height="12" rx="1.5" />
      <path d="M9 20h6M12 16v4" />
    </svg>
  )
}

export function WindowIcon(): ReactNode {
  return (
    <svg {...common}>
      <rect x="3" y="5" width="18" height="14" rx="1.5" />
      <path d="M3 9h18M6 7h.01M8.5 7h.01" />
    </svg>
  )
}

export function PlayIcon(): ReactNode {
  return (
    <svg {...common}>
      <path d="M8 5.5v13l10-6.5z" />
    </svg>
  )
}
