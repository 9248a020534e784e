/** Entry point of the web app (built by Vite into dist/web, served by src/server/web.ts). */
import './jitless.ts';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { I18nProvider } from './i18n/i18n.tsx';
import { RouterProvider } from './router.tsx';
import { AppStateProvider } from './state.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <I18nProvider>
    <RouterProvider>
      <AppStateProvider>
        <App />
      </AppStateProvider>
    </RouterProvider>
  </I18nProvider>,
);
