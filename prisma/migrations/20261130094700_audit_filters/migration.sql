-- CreateIndex
CREATE INDEX "AuditEvent_userId_id_idx" ON "AuditEvent"("userId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");
