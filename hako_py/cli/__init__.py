"""The command-line interface: parses arguments, calls the pipeline, formats output."""
