# SPDX-License-Identifier: GPL-2.0-only
"""The product binary (build/provisiond/provisiond, what dom0 ships) has the
real hypervisor backend only: the test double lives in provisiond-testhv,
the binary every other API test runs."""
import subprocess

import pvd


def defined_symbols(binary):
    out = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def test_product_binary_contains_no_test_double():
    product = defined_symbols(pvd.PRODUCT)
    tests = defined_symbols(pvd.BINARY)
    # The check can fail: the tests' binary has the fake, by these names.
    fake = {s for s in tests if "fake" in s}
    assert "hv_fake_open" in fake, sorted(fake)
    assert not {s for s in product if "fake" in s}, sorted(product & fake)
    assert "hv_libhv_open" in product
    # Nor its texts (the fake's log lines).
    assert b"hv fake:" in pvd.BINARY.read_bytes()
    assert b"hv fake:" not in pvd.PRODUCT.read_bytes()


def test_product_refuses_the_fake_backend(tmp_path):
    out = subprocess.run([str(pvd.PRODUCT), "--db", str(tmp_path / "db"), "--port", "0",
                          "--hv=fake"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 1, out
    assert "unknown hypervisor backend 'fake'" in out.stderr, out.stderr
    assert "provisiond-testhv" in out.stderr and "this provisiond has: libhv" in out.stderr
    assert "listening" not in out.stderr
    assert not (tmp_path / "db.hv-fake.json").exists()


def test_product_has_no_copy_volume_store(tmp_path):
    """The sparse-copy volume store is a test double too: the product clones
    with reflink only, and refuses the copy store by name."""
    assert "volume_store_copy" in defined_symbols(pvd.BINARY)
    assert "volume_store_copy" not in defined_symbols(pvd.PRODUCT)
    assert "volume_store_reflink" in defined_symbols(pvd.PRODUCT)
    out = subprocess.run([str(pvd.PRODUCT), "--db", str(tmp_path / "db"), "--port", "0",
                          "--volume-store", "copy"], capture_output=True, text=True,
                         timeout=20)
    assert out.returncode == 1, out
    assert "unknown volume store 'copy'" in out.stderr, out.stderr
    assert "this provisiond has: reflink" in out.stderr
