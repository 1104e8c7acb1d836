/** The microphone level as a bar (role="meter", 0–100). */
import type { ReactNode } from 'react'

export interface LevelMeterProps {
  /** 0…1. */
  readonly level: number
  readonly label?: string
  readonly compact?: boolean
}

export function LevelMeter({
  level,
  label = 'Microphone level',
  compact
}: LevelMeterProps): ReactNode {
  const value = Math.round(Math.min(1, Math.max(0, level)) * 100)
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      className={compact ? 'meter meter-compact' : 'meter'}
    >
      <div className="meter-fill" style={{ clipPath: `inset(0 ${100 - value}% 0 0)` }} />
    </div>
  )
}
