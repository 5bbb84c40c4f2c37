/**
 * The worker that prepares picture and GIF backgrounds beside the loop (started and ended by
 * `decodeInWorker` in `decode.ts`): for each {@linkcode DecodeMessage} it reads, decodes,
 * cover-scales and converts the file, and posts back one {@linkcode DecodeReply} with the same
 * number — the frames with their buffers transferred, or the error as data.
 *
 * `deno compile` embeds this module only because `packaging/stage.ts` lists it with `--include`.
 *
 * @module
 */

import {
  decodeBackgroundFile,
  type DecodeMessage,
  type DecodeReply,
  toWire,
  transferList,
} from "./decode.ts";

/** The parts of the worker's global scope used here (the scripts are checked as window code). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeMessage>) => void) | null;
  postMessage(message: DecodeReply, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = async (event: MessageEvent<DecodeMessage>): Promise<void> => {
  const { id, request } = event.data;
  let reply: DecodeReply;
  let transfer: Transferable[] = [];
  try {
    const decoded = await decodeBackgroundFile(request);
    reply = { id, ok: true, decoded };
    transfer = transferList(decoded);
  } catch (error) {
    reply = { id, ok: false, error: toWire(error) };
  }
  scope.postMessage(reply, transfer);
};
