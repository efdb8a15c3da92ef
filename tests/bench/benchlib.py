# SPDX-License-Identifier: GPL-2.0-only
"""What the appliance benchmarks (sched.py, domu.py) share: the error that
means "not a figure, something broke", the ISO they boot, and the table
they print."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

from machine import BUILD, REPO  # noqa: E402

HV_ELF = os.path.join(BUILD, "hypervisor", "hypervisor.elf")


class Broken(Exception):
    """Something that is not a figure went wrong: exit 1."""


def build_iso(path, hv_cmdline, modules):
    """An appliance ISO of the built hypervisor with hv_cmdline and the
    multiboot2 modules [(file, its command line)], no GRUB timeout."""
    args = [os.path.join(REPO, "packaging", "mkiso.sh"), "-o", path,
            "-k", HV_ELF, "-c", hv_cmdline, "-t", "0"]
    for module, cmdline in modules:
        args += ["-m", module, cmdline]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def print_table(head, rows, notes):
    """Prints rows (tuples as long as head) in aligned columns, then the
    notes, a blank line before them."""
    widths = [max(len(str(r[i])) for r in rows + [head])
              for i in range(len(head))]
    line = "  ".join("%%-%ds" % w for w in widths)
    print()
    print((line % head).rstrip())
    print(line % tuple("-" * w for w in widths))
    for r in rows:
        print((line % r).rstrip())
    if notes:
        print()
        for n in notes:
            print(n)
