import { ZkmlError } from "../errors";
import { executeJob, JobContext } from "./execute";
import { JobData, JobRefused } from "./jobs";

/**
 * A child process that runs one job for a worker (src/queue/worker.ts) and exits: the worker can kill it when
 * the job outlives its timeout, and its memory is the job's alone. Messages: in { data, ctx }; out { result } or
 * { error, refused, user } (a refused job is not retried; a user error keeps one line, anything else its stack).
 */
export interface JobRequest {
  data: JobData;
  ctx: Omit<JobContext, "log">;
}

export type JobReply = { result: unknown } | { error: string; refused: boolean; user: boolean } | { log: string };

// A worker that dies leaves no orphan behind: the IPC channel closes with it.
process.on("disconnect", () => process.exit(1));

process.once("message", (req: JobRequest) => {
  const log = (msg: string) => process.send!({ log: msg });
  executeJob(req.data, { ...req.ctx, log })
    .then(
      (result) => ({ result }) as JobReply,
      (e: Error) => ({ error: e instanceof ZkmlError ? e.message : (e.stack ?? String(e)), refused: e instanceof JobRefused, user: e instanceof ZkmlError }) as JobReply,
    )
    // Exits once the reply is sent: nothing of the job (snarkjs's threads, the witness) outlives it.
    .then((reply) => process.send!(reply, () => process.exit(0)));
});
