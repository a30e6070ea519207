/**
 * User administration (admin only, enforced by the tRPC layer): create with a role, change role,
 * reset password, disable/enable. Every change is audited with its before/after. A password reset,
 * a disable or a role change ends the user's sessions. The last enabled admin can be neither
 * demoted nor disabled, so the console can never lock itself out.
 */
import type { Role } from "../../lvs/auth/permissions.ts";
import type { Database } from "../db/openDatabase.ts";
import { recordAudit, type AuditActor } from "../services/audit.ts";
import { refuse } from "../services/ServiceError.ts";
import { hashOrBadRequest } from "./authService.ts";

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  /** most recent request of any live session, ISO time */
  lastSeenAt: string | null;
}

export class UserService {
  constructor(private readonly deps: { db: Database; actor: AuditActor; now: () => number }) {}

  private get prisma() {
    return this.deps.db.prisma;
  }

  async list(): Promise<UserView[]> {
    const users = await this.prisma.user.findMany({
      orderBy: { email: "asc" },
      include: { sessions: { select: { lastSeenAt: true }, orderBy: { lastSeenAt: "desc" }, take: 1 } },
    });
    return users.map((u) => ({
      id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabled,
      createdAt: u.createdAt.toISOString(), lastSeenAt: u.sessions[0]?.lastSeenAt.toISOString() ?? null,
    }));
  }

  async create(input: { email: string; name: string; role: Role; password: string }): Promise<UserView> {
    const passwordHash = await hashOrBadRequest(input.password);
    if (await this.prisma.user.findUnique({ where: { email: input.email } })) {
      await this.audit("user.create", input.email, "failure", { reason: "email already used" });
      throw refuse("CONFLICT", "user.email-taken", { email: input.email }, [{ path: "email", message: "already used" }]);
    }
    const u = await this.prisma.user.create({ data: { email: input.email, name: input.name, role: input.role, passwordHash } });
    await this.audit("user.create", u.email, "success", { role: u.role, name: u.name });
    return (await this.list()).find((x) => x.id === u.id)!;
  }

  async setRole(id: string, role: Role): Promise<void> {
    const u = await this.find(id);
    if (u.role === role) return;
    if (u.role === "admin") await this.keepAnAdmin(u.id, "user.setRole", u.email);
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id }, data: { role } }),
      this.prisma.session.deleteMany({ where: { userId: id } }),
    ]);
    await this.audit("user.setRole", u.email, "success", { role: { from: u.role, to: role } });
  }

  async resetPassword(id: string, password: string): Promise<void> {
    const u = await this.find(id);
    const passwordHash = await hashOrBadRequest(password);
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id }, data: { passwordHash } }),
      this.prisma.session.deleteMany({ where: { userId: id } }),
    ]);
    await this.audit("user.resetPassword", u.email, "success", { sessionsEnded: true });
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    const u = await this.find(id);
    if (u.disabled === disabled) return;
    if (disabled && u.id === this.deps.actor.userId) {
      await this.audit("user.disable", u.email, "denied", { reason: "cannot disable yourself" });
      throw refuse("BAD_REQUEST", "user.disable-self");
    }
    if (disabled && u.role === "admin") await this.keepAnAdmin(u.id, "user.disable", u.email);
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id }, data: { disabled } }),
      this.prisma.session.deleteMany({ where: { userId: id } }),
    ]);
    await this.audit(disabled ? "user.disable" : "user.enable", u.email, "success", { disabled: { from: u.disabled, to: disabled } });
  }

  private async find(id: string) {
    const u = await this.prisma.user.findUnique({ where: { id } });
    if (!u) throw refuse("NOT_FOUND", "user.not-found", { id });
    return u;
  }

  private async keepAnAdmin(exceptId: string, action: string, email: string): Promise<void> {
    const others = await this.prisma.user.count({ where: { role: "admin", disabled: false, id: { not: exceptId } } });
    if (others === 0) {
      await this.audit(action, email, "denied", { reason: "last enabled admin" });
      throw refuse("CONFLICT", "user.last-admin", { email });
    }
  }

  private audit(action: string, email: string, outcome: "success" | "failure" | "denied", diff: Record<string, unknown>) {
    return recordAudit(this.deps.db, this.deps.actor, { action, target: `user:${email}`, outcome, diff: diff as never });
  }
}
