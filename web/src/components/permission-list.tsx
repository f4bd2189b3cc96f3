import { PERMISSION_WORDS } from './permissions.ts';

/** A list of permissions, each with its name and what it allows in plain words (consent, upgrades). */
export function PermissionList({ permissions, label }: { permissions: readonly string[]; label?: string }) {
  if (permissions.length === 0) return <p className="muted">No permissions: it only computes on what it is given.</p>;
  return (
    <ul className="permission-list" aria-label={label}>
      {permissions.map((p) => (
        <li key={p}>
          <strong>{PERMISSION_WORDS[p]?.title ?? p}</strong> <code>{p}</code>
          <br />
          <span className="muted">{PERMISSION_WORDS[p]?.detail ?? 'A permission this app does not describe yet.'}</span>
        </li>
      ))}
    </ul>
  );
}
