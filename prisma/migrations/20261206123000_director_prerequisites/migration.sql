-- AlterTable: the director agent's latest prerequisite checks (DIPs, VIP, ip_forward, IPVS modules)
ALTER TABLE "Director" ADD COLUMN "prerequisites" JSONB;
ALTER TABLE "Director" ADD COLUMN "prerequisitesAt" TIMESTAMP(3);
