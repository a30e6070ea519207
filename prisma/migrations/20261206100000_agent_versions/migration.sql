-- AlterTable: what the director's agent said in its last hello, and why the last one was refused
ALTER TABLE "Director" ADD COLUMN "agentVersion" TEXT;
ALTER TABLE "Director" ADD COLUMN "agentProtocol" INTEGER;
ALTER TABLE "Director" ADD COLUMN "agentRefusal" TEXT;
ALTER TABLE "Director" ADD COLUMN "agentRefusedAt" TIMESTAMP(3);
