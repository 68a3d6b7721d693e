"""Runs many AWS CLI commands in one Python process, each through a fresh CLI driver.

Starting the CLI costs one to three seconds of imports on a small machine, so
the S3 tests run their s3api commands here instead of one process per command.
Each command still goes through the CLI's own entry point (argument parsing,
shorthand and file:// parameters, serialization, signing, output formatting),
with a new driver and session each time. Works with the pip CLI v1
(awscli.clidriver.create_clidriver) and Debian's CLI v2
(awscli.clidriver.AWSCLIEntryPoint).

stdin: {"commands": [["s3api", "list-buckets"], ...]}; the working directory
and the environment (credentials, region, endpoint) come from the caller.
stdout: a JSON list of {"rc", "stdout", "stderr"}, one per command.
"""
import contextlib
import io
import json
import sys

import awscli.clidriver as clidriver


def run(args):
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if hasattr(clidriver, "AWSCLIEntryPoint"):
                rc = clidriver.AWSCLIEntryPoint().main(args)
            else:
                rc = clidriver.create_clidriver().main(args)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    return {"rc": rc, "stdout": out.buffer.getvalue().decode("utf-8", "replace"), "stderr": err.buffer.getvalue().decode("utf-8", "replace")}


def main():
    spec = json.load(sys.stdin)
    results = [run(cmd) for cmd in spec["commands"]]
    sys.__stdout__.write(json.dumps(results))


if __name__ == "__main__":
    main()
