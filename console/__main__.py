import multiprocessing
import sys

from console.cli.main import main

if __name__ == "__main__":
    # The recorder runs in a child process started with "spawn": the child imports this
    # module again (as __mp_main__), and a frozen build re-runs its executable for it.
    multiprocessing.freeze_support()
    sys.exit(main())
