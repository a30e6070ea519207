-- AlterTable: the exec checks the agent's last hello listed (its checks directory), for the console to offer
ALTER TABLE "Director" ADD COLUMN "agentExecChecks" JSONB;
