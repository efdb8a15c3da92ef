# SPDX-License-Identifier: GPL-2.0-only
"""
HTTPS (tls.c): provisiond serves TLS by default with a certificate it makes
on its first start, keeps it across restarts, reports its fingerprint in
GET /v1/system and its log, serves a hoster's own pair named in the
config, and refuses to start with a pair that cannot be served.
"""
import datetime
import hashlib
import os
import socket
import ssl
import warnings

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# The clients here do not verify the self-signed certificate: the tests
# compare fingerprints instead.
warnings.filterwarnings("ignore", message="Unverified HTTPS request")


def served_fingerprint(port):
    """SHA-256 of the certificate the handshake shows, as "AB:CD:..."."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with ctx.wrap_socket(sock) as tls:
            der = tls.getpeercert(binary_form=True)
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


def system_tls(d):
    r = d.client(d.admin_token).get("/v1/system")
    assert r.status_code == 200, r.text
    return r.json()["tls"]


def hoster_pair(tmp_path, name="hoster", days_valid=365, not_before_days=-1):
    """An RSA 2048 certificate and key such as a hoster would bring."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "panel.example.net")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=not_before_days))
            .not_valid_after(now + datetime.timedelta(days=days_valid))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / (name + "-cert.pem"), tmp_path / (name + "-key.pem")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    fingerprint = ":".join("%02X" % b for b in cert.fingerprint(hashes.SHA256()))
    return cert_path, key_path, fingerprint


def test_first_start_makes_a_certificate_and_serves_https(own_daemon):
    d = own_daemon(tls=True).start()
    cert, key = d.dir / "tls-cert.pem", d.dir / "tls-key.pem"
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert os.stat(key).st_mode & 0o777 == 0o600
    tls = system_tls(d)
    assert tls["enabled"] is True
    assert tls["fingerprint_sha256"] == served_fingerprint(d.port)
    assert "SHA-256 fingerprint %s" % tls["fingerprint_sha256"] in d.log_text()
    assert "(HTTPS)" in d.log_text()
    # Every route answers over TLS as over plain HTTP.
    r = d.client().get("/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = d.client().get("/v1/servers")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    # Plain HTTP to the HTTPS port gets no API answer.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("http://127.0.0.1:%d/v1/health" % d.port, timeout=10)
    # A restart keeps the same certificate (it lives with the data).
    first = tls["fingerprint_sha256"]
    d.restart()
    assert served_fingerprint(d.port) == first == system_tls(d)["fingerprint_sha256"]
    assert "TLS certificate %s (loaded)" % cert in d.log_text()
    assert d.stop() == 0


def test_plain_http_only_when_configured(daemon, admin):
    assert daemon.url.startswith("http://")
    assert admin.get("/v1/system").json()["tls"] == {"enabled": False,
                                                    "fingerprint_sha256": None}
    assert "TLS is off: serving plain HTTP" in daemon.log_text()


def test_hoster_certificate_is_served(own_daemon, tmp_path):
    cert, key, fingerprint = hoster_pair(tmp_path)
    d = own_daemon("--tls-cert", str(cert), "--tls-key", str(key), tls=True).start()
    assert served_fingerprint(d.port) == fingerprint
    assert system_tls(d)["fingerprint_sha256"] == fingerprint
    assert not (d.dir / "tls-cert.pem").exists()
    assert d.stop() == 0


def test_replaced_files_are_served_after_a_restart(own_daemon, tmp_path):
    d = own_daemon(tls=True).start()
    made = served_fingerprint(d.port)
    cert, key, fingerprint = hoster_pair(tmp_path)
    d.stop()
    (d.dir / "tls-cert.pem").write_bytes(cert.read_bytes())
    (d.dir / "tls-key.pem").write_bytes(key.read_bytes())
    d.start()
    assert served_fingerprint(d.port) == fingerprint != made
    assert system_tls(d)["fingerprint_sha256"] == fingerprint
    assert d.stop() == 0


def refused(own_daemon, *args):
    """Starts a TLS daemon that must refuse to start; its log."""
    d = own_daemon(*args, tls=True)
    with pytest.raises(AssertionError, match="provisiond exited with 1"):
        d.start()
    return d.log_text()


def test_unservable_pairs_are_refused(own_daemon, tmp_path):
    cert, key, _ = hoster_pair(tmp_path)
    other_cert, other_key, _ = hoster_pair(tmp_path, "other")
    expired_cert, expired_key, _ = hoster_pair(tmp_path, "expired", days_valid=-1,
                                               not_before_days=-30)
    future_cert, future_key, _ = hoster_pair(tmp_path, "future", not_before_days=2)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    cases = [
        ((cert, other_key), "the private key is not the certificate's"),
        ((other_cert, key), "the private key is not the certificate's"),
        ((expired_cert, expired_key), "the certificate has expired"),
        ((future_cert, future_key), "the certificate is not valid yet"),
        ((garbage, key), "not a PEM X.509 certificate"),
        ((cert, garbage), "not an unencrypted PEM private key"),
        ((cert, tmp_path / "absent-key.pem"), "exists but"),
        ((tmp_path / "absent-cert.pem", key), "exists but"),
    ]
    for (c, k), message in cases:
        log = refused(own_daemon, "--tls-cert", str(c), "--tls-key", str(k))
        assert message in log, (c, k, log)


def test_uploaded_certificate_is_served_from_the_next_start(own_daemon, tmp_path):
    d = own_daemon(tls=True).start()
    made = served_fingerprint(d.port)
    admin = d.client(d.admin_token)
    cert, key, fingerprint = hoster_pair(tmp_path)
    r = admin.post("/v1/system/tls-certificate",
                   json={"certificate": cert.read_text(), "private_key": key.read_text()})
    assert r.status_code == 200, r.text
    assert r.json() == {"fingerprint_sha256": fingerprint, "served_from": "next_start"}
    # Until the restart, the current certificate is served.
    assert served_fingerprint(d.port) == made == system_tls(d)["fingerprint_sha256"]
    entries = admin.list_all("/v1/audit", params={"action": "system.tls_certificate"})
    assert [(e["result"], e["actor_scope"]) for e in entries] == [("ok", "admin")]
    d.restart()
    assert served_fingerprint(d.port) == fingerprint == system_tls(d)["fingerprint_sha256"]
    assert "the uploaded certificate" in d.log_text()
    assert not (d.dir / "tls-cert.pem.new").exists()
    assert d.stop() == 0


def test_bad_uploads_are_refused_and_change_nothing(own_daemon, tmp_path):
    d = own_daemon(tls=True).start()
    made = served_fingerprint(d.port)
    admin = d.client(d.admin_token)
    cert, key, _ = hoster_pair(tmp_path)
    other_cert, other_key, _ = hoster_pair(tmp_path, "other")
    expired_cert, expired_key, _ = hoster_pair(tmp_path, "expired", days_valid=-1,
                                               not_before_days=-30)
    cases = [
        ({"certificate": cert.read_text(), "private_key": other_key.read_text()},
         "private_key", "not the certificate's"),
        ({"certificate": expired_cert.read_text(), "private_key": expired_key.read_text()},
         "certificate", "has expired"),
        ({"certificate": "hello", "private_key": key.read_text()},
         "certificate", "not a PEM X.509 certificate"),
        ({"certificate": cert.read_text(), "private_key": "hello"},
         "private_key", "not an unencrypted PEM private key"),
        ({"certificate": cert.read_text()}, "private_key", "is required"),
    ]
    for body, field, message in cases:
        r = admin.post("/v1/system/tls-certificate", json=body)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["field"] == field and message in r.json()["error"]["message"]
        assert r.json()["error"]["message"].startswith(field + ": ")
    # Customers may not.
    t = admin.post("/v1/tenants", json={"name": "t"}).json()
    secret = admin.post("/v1/tokens", json={"name": "c", "scope": "customer",
                                            "tenant_id": t["id"]}).json()["secret"]
    r = d.client(secret).post("/v1/system/tls-certificate",
                              json={"certificate": other_cert.read_text(),
                                    "private_key": other_key.read_text()})
    assert r.status_code == 403
    assert not (d.dir / "tls-cert.pem.new").exists()
    d.restart()
    assert served_fingerprint(d.port) == made
    assert d.stop() == 0


def test_upload_needs_tls(admin, world):
    cert = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
    r = admin.post("/v1/system/tls-certificate",
                   json={"certificate": cert, "private_key": "k"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
