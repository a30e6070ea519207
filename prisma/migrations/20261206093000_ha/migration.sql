-- CreateTable
CREATE TABLE "HaEvent" (
    "id" BIGSERIAL NOT NULL,
    "topologyId" TEXT NOT NULL,
    "directorId" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "planned" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "HaEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HaMaintenance" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "directorId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "actor" TEXT,

    CONSTRAINT "HaMaintenance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HaDirectorStatus" (
    "directorId" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "status" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HaDirectorStatus_pkey" PRIMARY KEY ("directorId")
);

-- CreateIndex
CREATE INDEX "HaEvent_topologyId_at_idx" ON "HaEvent"("topologyId", "at");
CREATE INDEX "HaEvent_directorId_at_idx" ON "HaEvent"("directorId", "at");
CREATE INDEX "HaMaintenance_topologyId_startedAt_idx" ON "HaMaintenance"("topologyId", "startedAt");
CREATE INDEX "HaMaintenance_directorId_endedAt_idx" ON "HaMaintenance"("directorId", "endedAt");
CREATE INDEX "HaDirectorStatus_topologyId_idx" ON "HaDirectorStatus"("topologyId");
