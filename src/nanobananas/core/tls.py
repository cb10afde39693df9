"""A self-signed certificate for local HTTPS (`nanobananas serve --tls` without --cert/--key)."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

__all__ = ["self_signed_certificate"]

VALID_DAYS = 365


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """The (certificate, key) files in `folder`, made once for localhost, 127.0.0.1 and ::1.

    A browser warns about it, as it should: it proves encryption, not identity. Use a real
    certificate (--cert/--key, or a TLS proxy) for anything reachable by others.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    certificate, key = folder / "cert.pem", folder / "key.pem"
    if certificate.exists() and key.exists():
        return certificate, key
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nanobananas local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .sign(private_key, hashes.SHA256())
    )
    key_bytes = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return certificate, key
