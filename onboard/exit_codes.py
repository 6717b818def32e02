"""Exit codes, the same for every command: scripts and cron jobs depend on them."""

OK = 0
#: the command ran and something it checked failed (a check, a case, a pack)
FAILED = 1
#: the command could not run as asked: bad flags, bad input, bad configuration
USAGE = 2
#: stopped by Ctrl+C (SIGINT) or SIGTERM: 128 + the signal's number, as shells report it
INTERRUPTED = 130
TERMINATED = 143
