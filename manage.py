#!/usr/bin/env python3
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Every command but the development server is a batch process (the import worker, the loaders):
    # config.settings gives it BATCH_STATEMENT_TIMEOUT_MS instead of the web workers' limit.
    if len(sys.argv) > 1 and sys.argv[1] not in {"runserver", "testserver"}:
        os.environ["TERRITORIO_BATCH_PROCESS"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
