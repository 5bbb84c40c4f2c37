/**
 * Starts the control panel of a live run (`--http`): the server, its hooks into the pipeline's
 * live settings, the background library, "Save as default" into the settings file, and the
 * runtime file `backscrub ctl` finds it by. The words that name flags live here, in `src/cli`.
 *
 * @module
 */

import { BackgroundLibrary } from "../control/library.ts";
import type { Preview } from "../control/preview.ts";
import { writeRuntimeFile } from "../control/runtime_file.ts";
import { ControlServer, type ListenAddress } from "../control/server.ts";
import { modelDirs } from "../models/resolve.ts";
import type { Pipeline } from "../pipeline/loop.ts";
import type { StageFactory } from "../pipeline/settings.ts";
import { defaultConfigPath, saveConfig } from "./config.ts";
import { UsageError } from "./errors.ts";
import type { LiveOptions } from "./options.ts";

/** What {@linkcode startControl} needs. */
export interface ControlSetup {
  options: LiveOptions;
  address: ListenAddress;
  pipeline: Pipeline;
  factory: StageFactory;
  preview: Preview;
  /** The settings file to save into; null: the default one. */
  settingsFile: string | null;
  status: () => Record<string, unknown>;
  warn: (line: string) => void;
}

/** A running control panel. */
export interface Control {
  url: string;
  token: string;
  /** Tells the panel's pages the settings changed (after a change made elsewhere: SIGHUP). */
  settingsChanged(): void;
  close(): Promise<void>;
}

/** The bundled and the user's model names (each folder's `*.json` manifests). */
export function modelNames(current: string): string[] {
  const names = new Set<string>();
  for (const dir of modelDirs()) {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (e.isFile && e.name.endsWith(".json")) names.add(e.name.slice(0, -5));
      }
    } catch {
      // a folder that is not there
    }
  }
  names.add(current);
  return [...names].sort();
}

/**
 * Starts the panel.
 *
 * @param setup the run's pieces
 * @returns the panel, or null when it could not start on the default address (a warning says so)
 * @throws {UsageError} when the address given with `--http` cannot be listened on
 */
export async function startControl(setup: ControlSetup): Promise<Control | null> {
  const { options, pipeline, address } = setup;
  const library = new BackgroundLibrary((spec, o) => setup.factory.background(spec, o));
  let server: ControlServer;
  try {
    server = await ControlServer.start({
      address,
      library,
      preview: setup.preview,
      hooks: {
        settings: () => pipeline.settings,
        change: (change) => pipeline.change(change),
        status: setup.status,
        save: (settings) => {
          const path = setup.settingsFile ?? defaultConfigPath();
          if (path === null) {
            throw new UsageError("Cannot save: there is no home folder (set HOME or use --config)");
          }
          return Promise.resolve({ path, saved: saveConfig(path, settings) });
        },
        models: modelNames(pipeline.settings.model),
      },
    });
  } catch (error) {
    const why = error instanceof Deno.errors.AddrInUse
      ? "the address is in use"
      : (error as Error).message.split("\n")[0];
    const where = `${address.hostname}:${address.port}`;
    if (options.http !== null) {
      throw new UsageError(
        `Cannot serve the control panel on ${where}: ${why} (choose another with --http PORT, or --http off)`,
      );
    }
    setup.warn(`no control panel: cannot listen on ${where}: ${why}`);
    return null;
  }
  let removeFile = (): void => {};
  try {
    removeFile = writeRuntimeFile({
      url: server.url,
      token: server.token,
      pid: Deno.pid,
      started: new Date().toISOString(),
      camera: options.capture,
      virtual: options.virtual ?? "",
    });
  } catch (error) {
    setup.warn(`${(error as Error).message}; backscrub ctl will not find this instance`);
  }
  return {
    url: server.url,
    token: server.token,
    settingsChanged: () => server.settingsChanged(),
    async close() {
      removeFile();
      await server.close();
    },
  };
}
