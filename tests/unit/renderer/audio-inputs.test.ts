import { describe, expect, it } from 'vitest'
import { audioInputs } from '../../../src/renderer/src/recorder/audio-inputs'

const device = (kind: string, deviceId: string, label: string) => ({ kind, deviceId, label })

describe('audioInputs', () => {
  it("lists the real microphones without Chromium's aliases, never cameras or speakers", () => {
    expect(
      audioInputs([
        device('audioinput', 'default', 'Default - USB Mic'),
        device('audioinput', 'communications', 'Communications - USB Mic'),
        device('audioinput', 'm1', 'USB Mic'),
        device('audiooutput', 'o1', 'Speakers'),
        device('videoinput', 'c1', 'Integrated Camera'),
        device('audioinput', 'm2', 'Headset Mic')
      ])
    ).toEqual({
      devices: [
        { deviceId: 'm1', label: 'USB Mic' },
        { deviceId: 'm2', label: 'Headset Mic' }
      ],
      defaultLabel: 'USB Mic'
    })
  })

  it('names the default by its device, and knows no name before permission', () => {
    expect(audioInputs([device('audioinput', 'default', 'default - Built-in')]).defaultLabel).toBe(
      'Built-in'
    )
    expect(audioInputs([device('audioinput', 'default', 'Built-in')]).defaultLabel).toBe('Built-in')
    // Before permission Chromium gives one entry with an empty id and no label.
    expect(audioInputs([device('audioinput', '', '')])).toEqual({ devices: [], defaultLabel: null })
    expect(audioInputs([device('audioinput', 'default', '')]).defaultLabel).toBeNull()
  })

  it('numbers microphones the browser does not name, by their place among the real ones', () => {
    expect(
      audioInputs([
        device('audioinput', 'default', ''),
        device('audioinput', 'm1', ''),
        device('audioinput', 'm2', 'Named'),
        device('audioinput', 'm3', '')
      ]).devices
    ).toEqual([
      { deviceId: 'm1', label: 'Microphone 1' },
      { deviceId: 'm2', label: 'Named' },
      { deviceId: 'm3', label: 'Microphone 3' }
    ])
  })
})
