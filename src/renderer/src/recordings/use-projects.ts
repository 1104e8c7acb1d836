/** The recordings on disk, refreshed whenever main says they changed. */
import { useCallback, useEffect, useState } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import type { Notices } from '../ui/notices'

export interface Projects {
  /** Null until the first list arrives. */
  readonly projects: readonly ProjectSummary[] | null
  refresh(): void
}

export function useProjects(notices: Notices): Projects {
  const [projects, setProjects] = useState<readonly ProjectSummary[] | null>(null)

  const refresh = useCallback(() => {
    api
      .invoke('projects:list')
      .then((list) => setProjects(list))
      .catch((error: unknown) => {
        setProjects((current) => current ?? [])
        notices.error(error)
      })
  }, [notices])

  useEffect(() => {
    refresh()
    return api.on('projects:changed', () => refresh())
  }, [refresh])

  return { projects, refresh }
}
