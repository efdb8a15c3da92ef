#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The appliance's front page until provisiond serves the REST API: what the
# hypervisor says about itself and the machine, as plain text.
echo "Content-Type: text/plain; charset=utf-8"
echo
echo "Appliance hypervisor on $(hostname), dom0 kernel $(uname -r)"
echo
hvctl info 2>&1
