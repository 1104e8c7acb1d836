/**
 * The live camera before recording, so the user sees themselves before starting. Runs only while
 * a camera is chosen, the recorder is idle and the window is visible: the camera's light is not on
 * all day, and the recording opens the camera itself.
 */
import { useEffect, useState } from 'react'
import { openCameraStream } from './camera-stream'
import { cameraError } from './capture-errors'
import { usePageVisible } from './use-page-visible'

export interface CameraPreview {
  /** The camera's stream to show, or null while none is open. */
  readonly stream: MediaStream | null
  /** Why the camera could not be opened, in words for the user. */
  readonly problem: string | null
}

export function useCameraPreview(
  cameraId: string,
  enabled: boolean,
  platform: string,
  onOpened: () => void
): CameraPreview {
  const [stream, setStream] = useState<MediaStream | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const visible = usePageVisible()

  const active = enabled && visible && cameraId !== 'none'

  useEffect(() => {
    if (!active) {
      setStream(null)
      return
    }
    setProblem(null)
    const close = openCameraStream(
      cameraId,
      (media) => {
        setStream(media)
        onOpened()
      },
      (error) => setProblem(cameraError(error, platform).message)
    )
    return () => {
      close()
      setStream(null)
    }
    // onOpened only refreshes the device list; re-opening the camera for a new callback would flicker.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, cameraId, platform])

  return { stream: active ? stream : null, problem: cameraId === 'none' ? null : problem }
}
