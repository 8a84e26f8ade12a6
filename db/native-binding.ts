// Which better-sqlite3 addon db/open.ts loads. In a packaged app only the copy shipped in
// resources/native (the Electron-ABI build, see electron/native.ts) is ever loaded: an environment
// variable naming a native file would let anyone who can set the environment load arbitrary native
// code, which is what the RunAsNode and NODE_OPTIONS fuses are off to prevent. In a checkout
// (tests, the CLI, `electron .`) RNN_WORKBENCH_SQLITE_BINDING names the Electron build, and plain
// Node keeps better-sqlite3's own build.
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';

export const SQLITE_BINDING_ENV = 'RNN_WORKBENCH_SQLITE_BINDING';

export interface BindingContext {
  /** Electron's process.resourcesPath (undefined in plain Node). */
  resourcesPath: string | undefined;
  /** This module's file: inside resources/app.asar when packaged. */
  moduleFile: string;
  env: NodeJS.ProcessEnv;
}

function currentContext(): BindingContext {
  return {
    resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
    moduleFile: fileURLToPath(import.meta.url),
    env: process.env,
  };
}

/**
 * The resources folder of a packaged app, or null when running from a checkout: packaged code lives
 * under process.resourcesPath (app.asar, or app/ without an asar); `electron .` in a checkout has a
 * resourcesPath inside node_modules/electron, away from the code.
 */
export function packagedResources(ctx: Pick<BindingContext, 'resourcesPath' | 'moduleFile'>): string | null {
  if (ctx.resourcesPath && ctx.moduleFile.startsWith(ctx.resourcesPath + sep)) return ctx.resourcesPath;
  const at = ctx.moduleFile.indexOf(`${sep}app.asar${sep}`);
  return at < 0 ? null : (ctx.resourcesPath ?? ctx.moduleFile.slice(0, at));
}

/** The addon file to pass as better-sqlite3's `nativeBinding`, or undefined for its own build. */
export function sqliteNativeBinding(ctx: BindingContext = currentContext()): string | undefined {
  const resources = packagedResources(ctx);
  if (resources !== null) return join(resources, 'native', 'better_sqlite3.node');
  return ctx.env[SQLITE_BINDING_ENV] || undefined;
}
