-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateEnum
CREATE TYPE "MembershipState" AS ENUM ('active', 'draining', 'disabled');

-- CreateEnum
CREATE TYPE "ServiceProtocol" AS ENUM ('tcp', 'udp', 'sctp', 'fwmark');

-- CreateEnum
CREATE TYPE "AddressFamily" AS ENUM ('inet', 'inet6');

-- CreateEnum
CREATE TYPE "ForwardingMethod" AS ENUM ('dr', 'tun', 'nat');

-- CreateEnum
CREATE TYPE "EngineKind" AS ENUM ('auto', 'ipvs', 'userspace');

-- CreateEnum
CREATE TYPE "HealthState" AS ENUM ('unknown', 'up', 'down');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('success', 'failure', 'denied');

-- CreateTable
CREATE TABLE "Topology" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "document" JSON NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Topology_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TopologyRevision" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "snapshot" JSON NOT NULL,
    "author" TEXT,
    "message" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TopologyRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Director" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "managementAddress" TEXT,
    "interfaces" JSONB NOT NULL,
    "engine" "EngineKind" NOT NULL DEFAULT 'auto',
    "agentTokenHash" TEXT,
    "tokenRotatedAt" TIMESTAMP(3),
    "tokenRevokedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "appliedRevision" INTEGER,
    "reportedTable" JSONB,
    "reportedAt" TIMESTAMP(3),
    "online" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Director_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VirtualService" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "protocol" "ServiceProtocol" NOT NULL,
    "family" "AddressFamily" NOT NULL,
    "vip" TEXT,
    "port" INTEGER,
    "fwmark" BIGINT,
    "scheduler" TEXT NOT NULL,
    "flags" TEXT[],
    "persistenceTimeout" INTEGER,
    "persistenceNetmask" TEXT,
    "persistenceEngine" TEXT,
    "onePacket" BOOLEAN NOT NULL DEFAULT false,
    "proxyProtocol" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT NOT NULL DEFAULT '',
    "healthCheck" JSONB,
    "sorryServer" JSONB,

    CONSTRAINT "VirtualService_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServicePlacement" (
    "serviceId" TEXT NOT NULL,
    "directorId" TEXT NOT NULL,

    CONSTRAINT "ServicePlacement_pkey" PRIMARY KEY ("serviceId","directorId")
);

-- CreateTable
CREATE TABLE "RealServer" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rip" TEXT NOT NULL,
    "port" INTEGER,
    "host" JSONB NOT NULL,

    CONSTRAINT "RealServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "realServerId" TEXT NOT NULL,
    "method" "ForwardingMethod" NOT NULL DEFAULT 'dr',
    "weight" INTEGER NOT NULL DEFAULT 1,
    "upperThreshold" INTEGER NOT NULL DEFAULT 0,
    "lowerThreshold" INTEGER NOT NULL DEFAULT 0,
    "tunnel" JSONB,
    "state" "MembershipState" NOT NULL DEFAULT 'active',
    "healthCheck" JSONB,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CanvasPosition" (
    "topologyId" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "x" DOUBLE PRECISION NOT NULL,
    "y" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "CanvasPosition_pkey" PRIMARY KEY ("topologyId","objectKey")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "userId" TEXT,
    "sourceIp" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "diff" JSONB,
    "outcome" "AuditOutcome" NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthTransition" (
    "id" BIGSERIAL NOT NULL,
    "directorId" TEXT NOT NULL,
    "serviceKey" TEXT NOT NULL,
    "rip" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "from" "HealthState" NOT NULL,
    "to" "HealthState" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "HealthTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatsRollup" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "directorId" TEXT NOT NULL,
    "serviceKey" TEXT NOT NULL,
    "destKey" TEXT NOT NULL DEFAULT '',
    "conns" BIGINT NOT NULL DEFAULT 0,
    "inPkts" BIGINT NOT NULL DEFAULT 0,
    "outPkts" BIGINT NOT NULL DEFAULT 0,
    "inBytes" BIGINT NOT NULL DEFAULT 0,
    "outBytes" BIGINT NOT NULL DEFAULT 0,
    "cps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "inPps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "outPps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "inBps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "outBps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "activeConns" INTEGER NOT NULL DEFAULT 0,
    "inactConns" INTEGER NOT NULL DEFAULT 0,
    "persistConns" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatsRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Topology_name_key" ON "Topology"("name");

-- CreateIndex
CREATE UNIQUE INDEX "TopologyRevision_topologyId_revision_key" ON "TopologyRevision"("topologyId", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "Director_agentTokenHash_key" ON "Director"("agentTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Director_topologyId_key_key" ON "Director"("topologyId", "key");

-- CreateIndex
CREATE INDEX "VirtualService_vip_port_idx" ON "VirtualService"("vip", "port");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualService_topologyId_key_key" ON "VirtualService"("topologyId", "key");

-- CreateIndex
CREATE INDEX "ServicePlacement_directorId_idx" ON "ServicePlacement"("directorId");

-- CreateIndex
CREATE INDEX "RealServer_rip_idx" ON "RealServer"("rip");

-- CreateIndex
CREATE UNIQUE INDEX "RealServer_topologyId_key_key" ON "RealServer"("topologyId", "key");

-- CreateIndex
CREATE INDEX "Membership_serviceId_idx" ON "Membership"("serviceId");

-- CreateIndex
CREATE INDEX "Membership_realServerId_idx" ON "Membership"("realServerId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_topologyId_key_key" ON "Membership"("topologyId", "key");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_target_at_idx" ON "AuditEvent"("target", "at");

-- CreateIndex
CREATE INDEX "HealthTransition_directorId_at_idx" ON "HealthTransition"("directorId", "at");

-- CreateIndex
CREATE INDEX "HealthTransition_serviceKey_rip_port_at_idx" ON "HealthTransition"("serviceKey", "rip", "port", "at");

-- CreateIndex
CREATE INDEX "StatsRollup_directorId_bucket_idx" ON "StatsRollup"("directorId", "bucket");

-- CreateIndex
CREATE UNIQUE INDEX "StatsRollup_bucket_directorId_serviceKey_destKey_key" ON "StatsRollup"("bucket", "directorId", "serviceKey", "destKey");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- AddForeignKey
ALTER TABLE "TopologyRevision" ADD CONSTRAINT "TopologyRevision_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Director" ADD CONSTRAINT "Director_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VirtualService" ADD CONSTRAINT "VirtualService_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServicePlacement" ADD CONSTRAINT "ServicePlacement_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "VirtualService"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServicePlacement" ADD CONSTRAINT "ServicePlacement_directorId_fkey" FOREIGN KEY ("directorId") REFERENCES "Director"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RealServer" ADD CONSTRAINT "RealServer_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "VirtualService"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_realServerId_fkey" FOREIGN KEY ("realServerId") REFERENCES "RealServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CanvasPosition" ADD CONSTRAINT "CanvasPosition_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthTransition" ADD CONSTRAINT "HealthTransition_directorId_fkey" FOREIGN KEY ("directorId") REFERENCES "Director"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatsRollup" ADD CONSTRAINT "StatsRollup_directorId_fkey" FOREIGN KEY ("directorId") REFERENCES "Director"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
