package testkit

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/certs"
)

// PKI is a certificate authority made for one test, and the certificates it signs: real
// certificates, for real TLS peers (Go, Node, openssl).
type PKI struct {
	CA    *x509.Certificate
	Pool  *x509.CertPool // holds CA alone
	CAPEM []byte
	ca    *certs.Authority
}

// Cert is a certificate and its key, in the forms the peers want.
type Cert struct {
	TLS     tls.Certificate
	CertPEM []byte
	KeyPEM  []byte
}

// CertOptions shape a certificate (see certs.Options).
type CertOptions = certs.Options

// NewPKI makes a CA.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	ca, err := certs.NewAuthority("actornet test CA")
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return &PKI{CA: ca.Cert, Pool: pool, CAPEM: ca.PEM, ca: ca}
}

// Leaf makes a server (and client) certificate signed by the CA.
func (p *PKI) Leaf(t testing.TB, opts CertOptions) Cert {
	t.Helper()
	pair, err := p.ca.Issue(opts)
	require.NoError(t, err)
	return cert(t, pair)
}

// SelfSigned makes a certificate that signs itself: no CA vouches for it.
func SelfSigned(t testing.TB, opts CertOptions) Cert {
	t.Helper()
	pair, err := certs.SelfSigned(opts)
	require.NoError(t, err)
	return cert(t, pair)
}

func cert(t testing.TB, pair certs.Pair) Cert {
	c, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	require.NoError(t, err)
	return Cert{TLS: c, CertPEM: pair.CertPEM, KeyPEM: pair.KeyPEM}
}

// WritePEMIn writes PEM data to a file named name in dir.
func WritePEMIn(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
}
