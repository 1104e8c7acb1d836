import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// The base styles first, so each view's own styles (imported by its components) build on them.
import './styles.css'
import { App } from './app'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>
)
