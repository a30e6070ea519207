import type { Director } from "@/lvs/model.ts";

/** A new director: engine auto (kernel IPVS when present), one DIP to fill in. */
export function newDirector(id: string, ordinal: number): Director {
  return {
    id,
    name: `director-${ordinal}`,
    managementAddress: null,
    interfaces: [{ name: "eth0", address: `10.0.0.${Math.min(9, ordinal)}`, prefix: 24 }],
    engine: "auto",
  };
}
