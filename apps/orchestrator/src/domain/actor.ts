// Who is asking. A merchant sees and changes only their own stores; an admin sees and acts on all.
export type Role = 'admin' | 'merchant';

export interface Actor {
  userId: string;
  email: string;
  role: Role;
  /** How the request proved who it is; cookie sessions must also carry their CSRF token. */
  via: 'session' | 'token';
}

export function canAccessStore(actor: Actor, store: { ownerId: string }): boolean {
  return actor.role === 'admin' || store.ownerId === actor.userId;
}

/** The owner filter for listings: none for admins. */
export function ownerScope(actor: Actor): string | undefined {
  return actor.role === 'admin' ? undefined : actor.userId;
}
