/**
 * The callout overlay drawn over the player, and the style inspector beside it. The contract with
 * the editor is in ./types.
 */
export { CalloutOverlay } from './callout-overlay'
export { StyleInspector, type StyleInspectorProps } from './style-inspector'
export { DEFAULT_STYLE, PALETTE, type StyleDefaults } from './style-model'
export { annotationNames, TYPE_LABELS } from './names'
export { nextStepNumber, isVisibleAt, visibleAt } from './geometry'
export type {
  AnnotationChange,
  AnnotationDraft,
  CalloutOverlayProps,
  ChangePhase,
  Tool
} from './types'
