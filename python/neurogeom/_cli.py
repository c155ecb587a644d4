"""The `neurogeom` command of a pip installation: runs the executable shipped in the package."""

import os
import pathlib
import sys


def main():
    binary = pathlib.Path(__file__).resolve().parent / "_bin" / "neurogeom"
    if not binary.exists():
        sys.stderr.write(f"neurogeom: the command-line tool is missing from this installation ({binary})\n")
        return 2
    os.execv(str(binary), [str(binary), *sys.argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
