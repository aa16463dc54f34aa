"""The development certificates `cocontroller init` makes, as mkcert does: one CA, the
server's for the loopback names, one client certificate per role; keys 0600; made once."""

from cryptography import x509

from cocontroller import certs, config
from cocontroller.model import Role


def test_dev_certificates_name_their_roles_and_are_made_once(tmp_path):
    written = certs.create_dev_certificates(tmp_path)
    stems = ["ca", "server", "crm", "callcentre", "batch", "dpo", "admin", "dealer-dlr-gent"]
    assert sorted(p.name for p in written) == sorted(f for s in stems for f in (f"{s}.pem", f"{s}-key.pem"))
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written if p.name.endswith("-key.pem"))
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())

    def sans(stem):
        cert = x509.load_pem_x509_certificate(config.cert_files(tmp_path, stem)[0].read_bytes())
        cert.verify_directly_issued_by(ca)
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert sans("dealer-dlr-gent").get_values_for_type(x509.UniformResourceIdentifier) == [
        "spiffe://cocontroller.local/role/dealer/dlr-gent"]
    assert sans("dpo").get_values_for_type(x509.UniformResourceIdentifier) == [certs.role_uri(Role.DPO)]
    assert sans("server").get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in sans("server").get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]

    (tmp_path / "crm.pem").unlink()
    assert certs.create_dev_certificates(tmp_path) == [tmp_path / "crm.pem", tmp_path / "crm-key.pem"]
    sans("crm")  # signed by the CA that was there
