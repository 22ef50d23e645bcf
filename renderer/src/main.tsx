import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles/fonts.css';
// The cascade follows this order: tokens, base and controls first, then one sheet per view.
import './styles/tokens.css';
import './styles/base.css';
import './styles/controls.css';
import './styles/status-bar.css';
import './styles/lookup.css';
import './styles/card.css';
import './styles/records.css';
import './styles/batch.css';
import './styles/settings.css';
import './styles/dialogs.css';
import './styles/first-run.css';
import './styles/print.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
