/**
 * Each feature implements the IPC channels named after it (`recording:*` in recording/,
 * `projects:*` in projects/, …); app-services.ts puts the features' handlers together.
 */
import type { InvokeChannel, InvokeHandlers } from '../../shared/ipc'

/** The handlers of the channels whose names start with one of `Prefix` and a colon. */
export type FeatureHandlers<Prefix extends string> = Pick<
  InvokeHandlers,
  Extract<InvokeChannel, `${Prefix}:${string}`>
>
