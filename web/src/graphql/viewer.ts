import { type CombinedError, useQuery } from 'urql';
import { type ViewerQuery, ViewerDocument } from '../generated/graphql.ts';
import { useAuth } from './auth.tsx';

export type Viewer = NonNullable<ViewerQuery['viewer']>;

/** The signed-in user (null signed out or while loading), and whether the token was refused. */
export function useViewer(): { viewer: Viewer | null; fetching: boolean; error: CombinedError | undefined } {
  const { token } = useAuth();
  const [{ data, fetching, error }] = useQuery({ query: ViewerDocument, pause: !token });
  return { viewer: token ? (data?.viewer ?? null) : null, fetching, error };
}
