import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { InstallationChangesDocument } from '../generated/graphql.ts';

/**
 * Calls `onChange(installationId)` for each change to the viewer's installations (circuit
 * transitions, upgrades, revocations, made from any tab or client), so a page refetches what it shows.
 */
export function useInstallationChanges(onChange: (installationId: string) => void, pause = false) {
  const [{ data }] = useSubscription({ query: InstallationChangesDocument, pause });
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (data) latest.current(data.installationEvents.installationId);
  }, [data]);
}
