/**
 * The Upload-Metadata contract between the desktop app and the library server: the limits the
 * server enforces (server/src/uploads/metadata.ts) and the app keeps to (src/main/share/upload-plan.ts).
 */
export const UPLOAD_METADATA_LIMITS = {
  filename: 255,
  title: 200,
  description: 5000,
  projectId: 128,
  calloutsJson: 64 * 1024,
  calloutText: 2000,
  callouts: 1000,
  keys: 32
} as const

/** C0/C1 control characters: refused in every metadata value except as below. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/

/** The control characters refused in descriptions and callout texts (tab and newlines are fine). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS_EXCEPT_NEWLINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
