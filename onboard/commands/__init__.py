"""One module per CLI command group: parse results in, exit code out. The core never imports these."""
