/**
 * Upload a recording to the team library: title (prefilled) and an optional description, then
 * main's queue takes over (it exports first when there are edits). The title is the recording's
 * own: a changed title renames the recording (as the card's rename does) before the upload
 * starts. A recording already in the library updates that video under the same link by default;
 * "Upload as a new video" makes a second one with a new link. The dialog shows the upload
 * starting and then gives way to the progress on the recording. When the library keeps the
 * video's edits apart from it (a library with the `edits` feature), updating it only syncs the
 * edits: nothing is uploaded again. Without a library address and
 * token it says so and offers Settings instead.
 */
import { useEffect, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { LibraryConfig } from '../../../shared/ipc'
import type { EditsSyncStatus, ProjectSummary } from '../../../shared/project'
import { UPLOAD_METADATA_LIMITS } from '../../../shared/upload-metadata'
import { api } from '../api'
import { UNSAVED_EDITS, useFlushEdits } from '../editor/flush-edits'
import { errorMessage } from '../lib/error-message'
import { useLatest } from '../lib/use-latest'
import { useOpenSettings } from '../settings/open-settings'
import { ChoiceGroup, type RadioChoice } from '../ui/choice-group'
import { ErrorText, Field, InputField } from '../ui/field'
import { DialogActions, ModalDialog } from '../ui/modal-dialog'
import { ProgressBar } from '../ui/progress-bar'
import { editsSyncWords } from '../recordings/edits-sync-line'
import { libraryMissing } from './library-status'
import { isActiveUpload, uploadIsStarting, uploadStatusLine } from './uploads-model'
import { uploadsStore, useProjectUpload, useUpload } from './use-uploads'
import './share.css'

export interface UploadDialogProps {
  readonly project: ProjectSummary
  readonly onClose: () => void
}

/** How long the started upload stays in the dialog before it closes into the card's progress. */
const HANDOVER_MS = 1500

type UploadMode = 'update' | 'new'

/** For a video whose edits the library keeps: Upload sends the edits, not the video again. */
const EDITS_MODES: readonly RadioChoice<UploadMode>[] = [
  {
    value: 'update',
    label: 'Sync the edits to the video in the library (same link)',
    hint: 'Nothing is uploaded again: only the edits are sent, and viewers see them within seconds.'
  },
  {
    value: 'new',
    label: 'Upload as a new video',
    hint: 'A second video with a new link; the one already in the library stays as it is.'
  }
]

const MODES: readonly RadioChoice<UploadMode>[] = [
  {
    value: 'update',
    label: 'Update the video in the library (same link)',
    hint: 'Whoever has the link sees this version; the old one is replaced once this one is ready.'
  },
  {
    value: 'new',
    label: 'Upload as a new video',
    hint: 'A second video with a new link; the one already in the library stays as it is.'
  }
]

export function UploadDialog({ project, onClose }: UploadDialogProps): ReactNode {
  const openSettings = useOpenSettings()
  const current = useProjectUpload(project.id)
  // Opened while this recording uploads: show that upload rather than a second form.
  const [uploadId, setUploadId] = useState<string | null>(() =>
    current && isActiveUpload(current) ? current.id : null
  )
  const upload = useUpload(uploadId)
  const [library, setLibrary] = useState<LibraryConfig | null>(null)
  const [libraryProblem, setLibraryProblem] = useState<string | null>(null)
  const [title, setTitle] = useState(project.title)
  const [description, setDescription] = useState('')
  const [mode, setMode] = useState<UploadMode>('update')
  const inLibrary = project.shareUrl !== null
  // The library keeps this video's edits apart from it: updating it means syncing them.
  const syncsEdits = inLibrary && project.editsSync !== null && project.editsSync !== undefined
  const [synced, setSynced] = useState<EditsSyncStatus | null>(null)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const flushEdits = useFlushEdits()
  const body = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let live = true
    api
      .invoke('library:get')
      .then((config) => live && setLibrary(config))
      .catch((failure: unknown) => live && setLibraryProblem(errorMessage(failure)))
    return () => {
      live = false
    }
  }, [])

  const failed = upload?.state === 'failed'
  const onCloseRef = useLatest(onClose)
  // Once the queue has it, the card takes over; a failure stays here to be read.
  useEffect(() => {
    if (!uploadId || failed) return
    const timer = setTimeout(() => onCloseRef.current(), HANDOVER_MS)
    return () => clearTimeout(timer)
  }, [uploadId, failed, onCloseRef])

  useEffect(() => {
    if (uploadId) body.current?.querySelector<HTMLElement>('.primary-button')?.focus()
  }, [uploadId])

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const cleanTitle = title.trim()
    if (!cleanTitle) {
      setProblem('A title cannot be empty. Type one, so colleagues can find the video.')
      return
    }
    setBusy(true)
    setProblem(null)
    try {
      if (!(await flushEdits())) {
        setProblem(UNSAVED_EDITS)
        return
      }
      // One title for both: the recording takes the title it is uploaded under.
      if (cleanTitle !== project.title) await api.invoke('projects:rename', project.id, cleanTitle)
      if (syncsEdits && mode === 'update') {
        const status = await api.invoke('share:sync-edits', project.id)
        setSynced(status ?? { state: 'synced', message: null, version: 0 })
        return
      }
      const description_ = description.trim()
      const info = await api.invoke('uploads:start', project.id, {
        title: cleanTitle,
        ...(description_ ? { description: description_ } : {}),
        ...(inLibrary && mode === 'new' ? { asNewVideo: true } : {})
      })
      uploadsStore.apply(info)
      setUploadId(info.id)
    } catch (failure) {
      setProblem(errorMessage(failure))
    } finally {
      setBusy(false)
    }
  }

  /** Settings, at the field the problem is about: a refused token, or what is missing. */
  const goToSettings = (): void => {
    onClose()
    const tokenOnly = failed || (library !== null && library.url !== '' && !library.hasToken)
    openSettings?.(tokenOnly ? 'library-token' : 'library-url')
  }

  const missing = library ? libraryMissing(library) : null

  return (
    <ModalDialog
      title={<>Upload “{project.title}”</>}
      onClose={onClose}
      className="upload-dialog"
      initialFocus="input, .primary-button"
    >
      <div ref={body}>
        {synced !== null ? (
          <div className="upload-started">
            <p className="muted" role="status">
              {editsSyncWords(synced)}
            </p>
            <p className="hint">The link stays the same; the card shows where the edits stand.</p>
            <DialogActions actions={[{ label: 'Close', kind: 'primary', onClick: onClose }]} />
          </div>
        ) : uploadId !== null ? (
          <div className="upload-started">
            {upload && !failed && (
              <>
                <ProgressBar
                  decorative
                  fraction={upload.fraction}
                  label={`Upload of “${upload.title}”`}
                  valueText={uploadStatusLine(upload)}
                  indeterminate={uploadIsStarting(upload)}
                />
                <p className="muted" role="status">
                  {uploadStatusLine(upload)}
                </p>
                <p className="hint">
                  The upload carries on when this closes; its progress shows on the recording.
                </p>
              </>
            )}
            {failed && (
              <p className="field-error" role="alert">
                Upload failed. {upload.error ?? 'The library did not say why.'}
              </p>
            )}
            <DialogActions
              actions={[
                failed &&
                  upload.needsToken &&
                  openSettings && {
                    label: 'Open settings',
                    kind: 'secondary',
                    onClick: goToSettings
                  },
                { label: 'Close', kind: 'primary', onClick: onClose }
              ]}
            />
          </div>
        ) : missing ? (
          <div className="upload-setup">
            <p>{missing}</p>
            <p className="muted">
              {openSettings
                ? 'Ask your team for them, then enter them under Team library in Settings.'
                : 'Ask your team for them, then enter them under Team library in Settings (the Settings button at the top of the window).'}
            </p>
            <DialogActions
              actions={[
                { label: 'Cancel', kind: 'secondary', onClick: onClose },
                openSettings && { label: 'Open settings', kind: 'primary', onClick: goToSettings }
              ]}
            />
          </div>
        ) : (
          <form onSubmit={(event) => void submit(event)} noValidate>
            {libraryProblem && (
              <p className="warning-note">
                Sidecast could not check the library settings ({libraryProblem}). You can still try
                to upload.
              </p>
            )}
            <InputField
              label="Title"
              invalid={!!problem && !title.trim()}
              type="text"
              value={title}
              maxLength={UPLOAD_METADATA_LIMITS.title}
              onValue={setTitle}
              disabled={busy}
            />
            <Field
              label="Description (optional)"
              hint="What it shows and who it is for. Colleagues can search it."
            >
              {(control) => (
                <textarea
                  {...control}
                  rows={4}
                  value={description}
                  maxLength={UPLOAD_METADATA_LIMITS.description}
                  onChange={(e) => setDescription(e.target.value)}
                  disabled={busy}
                />
              )}
            </Field>
            {inLibrary && (
              <ChoiceGroup
                legend="This recording is already in the library"
                choices={syncsEdits ? EDITS_MODES : MODES}
                value={mode}
                onChange={setMode}
              />
            )}
            {library && (
              <p className="hint">
                Goes to {library.url}. A library that applies edits itself gets the recording as it
                is, and its edits; otherwise a recording with edits is exported first, using the
                export defaults from Settings.
              </p>
            )}
            <ErrorText message={problem} />
            <DialogActions
              actions={[
                { label: 'Cancel', kind: 'secondary', onClick: onClose, disabled: busy },
                {
                  label: busy
                    ? 'Starting…'
                    : syncsEdits && mode === 'update'
                      ? 'Sync edits'
                      : 'Upload',
                  kind: 'primary',
                  submit: true,
                  disabled: busy || (!library && !libraryProblem)
                }
              ]}
            />
          </form>
        )}
      </div>
    </ModalDialog>
  )
}
