import { serveGitRequests, setGitSearchPath } from "../archive/git.js";

/**
 * The service's git launcher: a small process that runs git for the reads a
 * request waits on, so creating each git process costs what it costs from a
 * small process (see `runGitQuickly`). `node git-launcher.js PATH`: the
 * search path git runs with; requests on stdin, answers on stdout.
 */
setGitSearchPath(process.argv[2]);
serveGitRequests(process.stdin, process.stdout);
