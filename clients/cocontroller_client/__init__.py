"""Python client and command-line tool for the cocontroller gRPC service."""
