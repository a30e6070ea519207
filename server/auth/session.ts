/** Who is signed in on a request, and how the server finds out. Owned by auth/ (api/ and realtime/ import it). */
import type { IncomingMessage } from "node:http";
import type { Role } from "../../lvs/auth/permissions.ts";
import type { Database } from "../db/openDatabase.ts";

/** The signed-in user of a request (server/auth/sessions.ts); null = anonymous. */
export interface SessionInfo {
  userId: string;
  email: string;
  role: Role;
}

/** How the server finds the session of a request (server/auth/sessions.ts createSessionResolver). */
export type SessionResolver = (req: IncomingMessage, db: Database) => Promise<SessionInfo | null>;
