/**
 * How often the recording gets a keyframe, and how that is asked of MediaRecorder.
 *
 * Smart export copies whole GOPs that no edit touches and re-encodes only the GOPs an edit does
 * touch, so the keyframe spacing is the granularity of both: a callout costs at most its own
 * GOPs. The library's streamed upload gains too (a viewer can start at any second).
 *
 * What Chromium does (measured with Chromium 156, MediaRecorder into WebM; the app's Electron 45
 * ships Chromium 142, which has the same option):
 * - `videoKeyFrameIntervalDuration` is honoured for H.264 (OpenH264), VP8 and VP9: the first frame
 *   encoded at least that long after the previous keyframe is a keyframe, so on a moving screen
 *   keyframes come every 1.0–1.1 s. It is measured on frame timestamps: a still screen delivers
 *   few or no frames, and the next keyframe comes with the next frame (a long GOP of almost no
 *   frames, which costs nothing to re-encode).
 * - Without it, H.264 gets a keyframe about every 100 frames (3.3–3.5 s at 30 fps; 6 s in a real
 *   screen capture under Xvfb, whose frame rate is lower) plus scene cuts, and VP8 fewer still.
 * - `videoKeyFrameIntervalCount` counts frames, so with screen capture's variable frame rate its
 *   spacing in time wanders; the spec allows only one of the two, so we set the duration alone.
 * - A Chromium without the option ignores the unknown dictionary member (no error): the recording
 *   works as before with the encoder's own spacing, and export re-encodes more (or all) of it.
 */
export const KEYFRAME_INTERVAL_MS = 1000
