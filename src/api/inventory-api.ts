import type { DeviceDirectory, InventoryService } from "../inventory/index.js";
import type { InventoryAccess } from "./types.js";

/** The API's view of a running inventory. */
export function inventoryApi(p: { readonly service: InventoryService; readonly directory: DeviceDirectory }): InventoryAccess {
  return {
    status: (tenant) => p.service.status(tenant),
    confirm: (tenant, source, who) => p.service.confirm(tenant, source, { ...who, via: "api" }),
    retired: (tenant) => p.directory.retired(tenant),
  };
}
