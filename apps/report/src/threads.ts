/**
 * The node options of the report's worker threads (cell workers and render workers), in one place. A worker given no
 * execArgv inherits its parent's node options, whatever they are; an explicit one is checked, and Node refuses V8
 * options and process-wide ones in it (nodejs/node#41103): `node --max-old-space-size=8192 dmm bench`, the way to give
 * a large recorded trace more heap, threw ERR_WORKER_INVALID_EXEC_ARGV when the workers were given the parent's
 * execArgv. V8's flags are the process's, so a worker runs under them either way. The one option a worker must not
 * inherit is `--input-type` (`node --input-type=module -e …`), which a worker started from a file refuses: then the
 * parent's options without it.
 */
export function workerExecArgv(): { execArgv?: string[] } {
  const argv = process.execArgv;
  return argv.some((a) => a.startsWith("--input-type")) ? { execArgv: argv.filter((a) => !a.startsWith("--input-type")) } : {};
}
