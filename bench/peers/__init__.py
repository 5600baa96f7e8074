"""The same endpoints written with other common stacks, measured in the same run as the service."""
