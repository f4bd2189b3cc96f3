/** What each permission lets a plugin do, in plain words (the API's permission names as keys). */
export const PERMISSION_TEXT: Record<string, string> = {
  log: 'Write log lines you can read with each run',
  config: 'Read the settings you give it on this installation',
  kv: 'Keep its own small key-value data between runs',
  'clips:read': 'Read your clips: titles, tags, metadata and media details',
  'clips:write': 'Change your clips: add tags and metadata',
  events: 'Emit events that other parts of the platform can react to',
};

export function permissionText(permission: string): string {
  return PERMISSION_TEXT[permission] ?? 'A permission this app does not describe yet';
}

/** A list of permissions, each with its name and what it allows. */
export function PermissionList({ permissions, label }: { permissions: readonly string[]; label?: string }) {
  if (permissions.length === 0) return <p className="muted">No permissions: it only computes on what it is given.</p>;
  return (
    <ul className="permission-list" aria-label={label}>
      {permissions.map((p) => (
        <li key={p}>
          <code>{p}</code> <span>{permissionText(p)}</span>
        </li>
      ))}
    </ul>
  );
}
