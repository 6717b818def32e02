"""A shipper's workspace: one directory, one versioned state file written atomically, never lost."""
