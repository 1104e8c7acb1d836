import { describe, expect, it } from 'vitest'
import { cameraInputs } from '../../../src/renderer/src/recorder/camera-inputs'
import { isBubbleMessage } from '../../../src/renderer/src/bubble/bubble-channel'
import { cameraConstraints } from '../../../src/renderer/src/recorder/recording-session'

const device = (kind: string, deviceId: string, label: string) => ({ kind, deviceId, label })

describe('cameraInputs', () => {
  it('lists the named cameras only, never microphones', () => {
    expect(
      cameraInputs([
        device('audioinput', 'default', 'Default - Mic'),
        device('videoinput', 'c1', 'Integrated Camera'),
        device('videoinput', 'c2', '')
      ])
    ).toEqual({
      devices: [
        { deviceId: 'c1', label: 'Integrated Camera' },
        { deviceId: 'c2', label: 'Camera 2' }
      ],
      unnamed: false
    })
  })

  it('says when a camera is there but hidden until camera access is allowed', () => {
    expect(cameraInputs([device('videoinput', '', '')])).toEqual({ devices: [], unnamed: true })
    expect(cameraInputs([device('audioinput', 'm', 'Mic')])).toEqual({
      devices: [],
      unnamed: false
    })
  })
})

describe('cameraConstraints', () => {
  it('asks for the chosen device exactly, and for no device id for the default camera', () => {
    expect(cameraConstraints('c1').video.deviceId).toEqual({ exact: 'c1' })
    expect(cameraConstraints('default').video).not.toHaveProperty('deviceId')
    expect(cameraConstraints('c1')).toMatchObject({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      audio: false
    })
  })
})

describe('isBubbleMessage', () => {
  it('accepts the two messages and nothing else', () => {
    expect(isBubbleMessage({ type: 'hello' })).toBe(true)
    expect(isBubbleMessage({ type: 'camera', on: false })).toBe(true)
    expect(isBubbleMessage({ type: 'camera', on: 'no' })).toBe(false)
    expect(isBubbleMessage({ type: 'other' })).toBe(false)
    expect(isBubbleMessage(null)).toBe(false)
    expect(isBubbleMessage('hello')).toBe(false)
  })
})
