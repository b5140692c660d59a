"""`python -m sandbox`: the same as the `rsc-sandbox` command."""

from sandbox.cli import main

main()
