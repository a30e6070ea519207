import { defineConfig } from "prisma/config";

/**
 * Prisma 7 keeps the datasource url here. The placeholder lets `prisma generate` and `prisma validate`
 * run without a database; the app itself never reads this file (server/db/openDatabase.ts picks the
 * database from the environment).
 */
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://placeholder@localhost:5432/placeholder",
  },
});
