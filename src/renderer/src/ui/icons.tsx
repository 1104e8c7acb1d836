/**
 * Small line icons drawn inline (no icon font, no network). Decorative: always hidden from
 * assistive tech, so the control that shows one carries the name.
 */
import type { ReactNode } from 'react'

export interface IconProps {
  /** `large` (28 px, the default) for cards; `small` (18 px) for toolbars and the transport. */
  readonly size?: 'small' | 'large'
}

const SIZES = {
  large: { px: 28, stroke: 1.6 },
  small: { px: 18, stroke: 1.8 }
} as const

/** The frame every icon is drawn in: a 24-unit square, round line ends. */
export function Icon(props: IconProps & { filled?: boolean; children: ReactNode }): ReactNode {
  const { px, stroke } = SIZES[props.size ?? 'large']
  return (
    <svg
      width={px}
      height={px}
      viewBox="0 0 24 24"
      fill={props.filled ? 'currentColor' : 'none'}
      stroke={props.filled ? 'none' : 'currentColor'}
      strokeWidth={stroke}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={true}
      focusable={false}
    >
      {props.children}
    </svg>
  )
}

export function ScreenIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <rect x="3" y="4" width="18" height="12" rx="1.5" />
      <path d="M9 20h6M12 16v4" />
    </Icon>
  )
}

export function WindowIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <rect x="3" y="5" width="18" height="14" rx="1.5" />
      <path d="M3 9h18M6 7h.01M8.5 7h.01" />
    </Icon>
  )
}

/** Play: an outline on the cards, filled on the transport's button. */
export function PlayIcon(props: IconProps & { filled?: boolean }): ReactNode {
  return (
    <Icon {...props}>
      <path d="M8 5.5v13l10-6.5z" />
    </Icon>
  )
}

export function PauseIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props} filled>
      <rect x="6.5" y="5" width="4" height="14" rx="1" />
      <rect x="13.5" y="5" width="4" height="14" rx="1" />
    </Icon>
  )
}

export function FrameBackIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <path d="M6 5v14M18 6l-8 6 8 6z" />
    </Icon>
  )
}

export function FrameForwardIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <path d="M18 5v14M6 6l8 6-8 6z" />
    </Icon>
  )
}

export function UndoIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <path d="M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3" />
    </Icon>
  )
}

export function RedoIcon(props: IconProps): ReactNode {
  return (
    <Icon {...props}>
      <path d="M15 14l5-5-5-5M20 9H10a6 6 0 000 12h3" />
    </Icon>
  )
}
