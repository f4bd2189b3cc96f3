import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { AuthProvider } from './graphql/auth.tsx';
import { GraphQLProvider } from './graphql/client.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider>
      <GraphQLProvider>
        <App />
      </GraphQLProvider>
    </AuthProvider>
  </StrictMode>,
);
