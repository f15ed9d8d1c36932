"""The sub-commands of `sizno` (the command-line layer, beside `sizno.cli`): each module reads options,
calls the packages below and prints; `sizno.cli` mounts a module only when one of its commands runs."""
