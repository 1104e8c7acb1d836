/**
 * The camera bubble window's page (loaded with `#bubble?camera=<id>`): the camera, mirrored like a
 * mirror, in a circle filling the small transparent window, which is dragged by any point. It
 * shows nothing while the camera is switched off in the recording bar.
 */
import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { openCameraStream } from '../recorder/camera-stream'
import { openBubbleChannel } from './bubble-channel'
import './bubble.css'

export function BubbleView({ cameraId }: { cameraId: string }): ReactNode {
  const video = useRef<HTMLVideoElement>(null)
  const [on, setOn] = useState(true)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    document.documentElement.classList.add('bubble-page')
    document.title = 'Camera — Sidecast'
    const channel = openBubbleChannel((message) => {
      if (message.type === 'camera') setOn(message.on)
    })
    channel?.post({ type: 'hello' })
    return () => channel?.close()
  }, [])

  useEffect(() => {
    return openCameraStream(
      cameraId,
      (media) => {
        const element = video.current
        if (element) {
          element.srcObject = media
          void element.play().catch(() => undefined)
        }
      },
      () => setFailed(true)
    )
  }, [cameraId])

  return (
    <main className="bubble" hidden={!on || failed} aria-label="Camera bubble">
      <video ref={video} className="bubble-video" muted autoPlay playsInline />
    </main>
  )
}
