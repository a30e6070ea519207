-- Several control-plane instances on one PostgreSQL (issue 16).
-- ControlInstance: every running instance, its heartbeat and where its peers can reach it.
CREATE TABLE "ControlInstance" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ControlInstance_pkey" PRIMARY KEY ("id")
);

-- AgentLease: which instance holds a director's agent connection (at most one; the newest wins).
CREATE TABLE "AgentLease" (
    "directorId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AgentLease_pkey" PRIMARY KEY ("directorId"),
    CONSTRAINT "AgentLease_directorId_fkey" FOREIGN KEY ("directorId") REFERENCES "Director"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "AgentLease_instanceId_idx" ON "AgentLease"("instanceId");

-- ClusterLease: named singleton jobs (pruning, drain completion, presence sweep, the demo) run by one
-- instance at a time.
CREATE TABLE "ClusterLease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ClusterLease_pkey" PRIMARY KEY ("name")
);
