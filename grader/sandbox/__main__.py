"""Entry point of the sandboxed child: ``python -m grader.sandbox REQUEST_FD RESPONSE_FD``."""

import sys

from grader.sandbox.worker import serve

if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
