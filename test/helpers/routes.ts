import type express from "express";

/** One route express answers: method and path in OpenAPI's form (`{tenant}`, not `:tenant`). */
export interface ServedRoute {
  readonly method: string;
  readonly path: string;
}

/** A middleware mounted on a path prefix (not a route): what the walker found, for the caller to expand or refuse. */
export interface Mount {
  readonly path: string;
  readonly name: string;
}

interface Layer {
  readonly route?: { readonly path: string | string[]; readonly methods: Record<string, boolean> };
  readonly handle: { readonly stack?: Layer[] } & ((...args: unknown[]) => unknown);
  readonly name: string;
  readonly rawPath?: string | RegExp | string[];
}

const openApiPath = (p: string) => p.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");

/**
 * Walks an express app's router stack (express 5 / router 2): every route
 * with its methods, nested routers with their prefix, and the other
 * middleware mounts (`app.use("/git", fn)`, a mounted sub-app) as mounts.
 */
export function walkRoutes(app: express.Express): { routes: ServedRoute[]; mounts: Mount[] } {
  const routes: ServedRoute[] = [];
  const mounts: Mount[] = [];
  const visit = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      const raw = typeof layer.rawPath === "string" ? layer.rawPath : layer.rawPath === undefined ? "/" : String(layer.rawPath);
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [m, on] of Object.entries(layer.route.methods)) {
            if (on && m !== "_all") routes.push({ method: m.toUpperCase(), path: openApiPath(`${prefix}${p}`.replace(/\/{2,}/g, "/")) });
          }
        }
      } else if (Array.isArray(layer.handle.stack)) {
        visit(layer.handle.stack, raw === "/" ? prefix : `${prefix}${raw}`);
      } else {
        mounts.push({ path: `${prefix}${raw}` || "/", name: layer.name });
      }
    }
  };
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  visit(router.stack, "");
  return { routes, mounts };
}
