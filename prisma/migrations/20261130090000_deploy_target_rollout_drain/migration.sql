-- Saving is not applying: each director runs the revision an operator applied to it (targetRevision).
-- AlterTable
ALTER TABLE "Director" ADD COLUMN "targetRevision" INTEGER,
ADD COLUMN "observed" JSONB,
ADD COLUMN "observedAt" TIMESTAMP(3);

-- Directors that existed before this migration ran the latest saved revision: keep them on it.
UPDATE "Director" AS d SET "targetRevision" = t."revision" FROM "Topology" AS t WHERE t."id" = d."topologyId";

-- CreateTable
CREATE TABLE "Rollout" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "author" TEXT,
    "message" TEXT NOT NULL DEFAULT '',
    "results" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Drain" (
    "id" TEXT NOT NULL,
    "topologyId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "membershipKeys" TEXT[],
    "revision" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "timeoutMs" INTEGER NOT NULL,
    "activeConns" INTEGER,
    "inactConns" INTEGER,
    "author" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Drain_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Rollout_topologyId_createdAt_idx" ON "Rollout"("topologyId", "createdAt");

-- CreateIndex
CREATE INDEX "Drain_topologyId_startedAt_idx" ON "Drain"("topologyId", "startedAt");

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Drain" ADD CONSTRAINT "Drain_topologyId_fkey" FOREIGN KEY ("topologyId") REFERENCES "Topology"("id") ON DELETE CASCADE ON UPDATE CASCADE;
