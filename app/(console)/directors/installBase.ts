/**
 * The console URL the install command uses: LVS_PUBLIC_URL when the server has it, else the origin
 * this browser used (flagged when a director could not reach it: loopback).
 */
import { isLoopbackHost } from "../../../lvs/protocol/agentVersion.ts";

export function installBase(publicUrl: string | null, origin: string): { url: string; configured: boolean; loopback: boolean } {
  const url = (publicUrl ?? origin).replace(/\/+$/, "");
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    host = "";
  }
  return { url, configured: publicUrl != null, loopback: isLoopbackHost(host) };
}
