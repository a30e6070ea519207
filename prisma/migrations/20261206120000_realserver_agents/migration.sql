-- CreateTable: real-server agents (the real-server role of lvs-agent) and their latest report
CREATE TABLE "RealServerAgent" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "realServerKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenRevokedAt" TIMESTAMP(3),
    "online" BOOLEAN NOT NULL DEFAULT false,
    "lastSeenAt" TIMESTAMP(3),
    "hostname" TEXT,
    "agentVersion" TEXT,
    "applyPolicy" TEXT,
    "report" JSONB,
    "reportAt" TIMESTAMP(3),
    "sentRevision" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RealServerAgent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RealServerAgent_tokenHash_key" ON "RealServerAgent"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "RealServerAgent_topologyId_realServerKey_key" ON "RealServerAgent"("topologyId", "realServerKey");

-- AddForeignKey
ALTER TABLE "RealServerAgent" ADD CONSTRAINT "RealServerAgent_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;
