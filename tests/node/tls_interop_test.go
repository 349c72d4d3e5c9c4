package node

import (
	"crypto/tls"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// tlsFiles writes a certificate, its key and the CA for Node to read, and returns their
// directory.
func tlsFiles(t *testing.T, pki *testkit.PKI, cert testkit.Cert) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"cert.pem": cert.CertPEM, "key.pem": cert.KeyPEM, "ca.pem": pki.CAPEM} {
		testkit.WritePEMIn(t, dir, name, data)
	}
	return dir
}

var tlsVersions = map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// An actornet TLS server and Node's tls client exchange 10 MiB each way with half-close, on
// TLS 1.2 and 1.3.
func TestTLSInteropNodeClient(t *testing.T) {
	node := nodeBinary(t)
	for name, version := range tlsVersions {
		t.Run(name, func(t *testing.T) {
			pki := testkit.NewPKI(t)
			leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"localhost", "127.0.0.1"}})
			rt := newInteropRuntime(t)
			sides := make(chan *goSide, 1)
			protocols := make(chan string, 1)
			out := payload(t)
			server := rt.CreateTLSServer(netapi.TLSServerOptions{
				ServerOptions: netapi.ServerOptions{AllowHalfOpen: true},
				TLSOptions: netapi.TLSOptions{Cert: leaf.CertPEM, Key: leaf.KeyPEM,
					Config: &tls.Config{MinVersion: version, MaxVersion: version}},
			}, func(s *netapi.Socket) {
				protocols <- s.GetProtocol()
				sides <- exchange(s, out)
			})
			listening := make(chan struct{})
			server.ListenPort(0, "127.0.0.1", 0, func() { close(listening) })
			<-listening
			sc, wait := startScript(t, node, "tlspeer.js", "client", strconv.Itoa(server.Address().Port),
				tlsFiles(t, pki, leaf), name)
			g := testkit.Recv(t, sides)
			assert.Equal(t, name, testkit.Recv(t, protocols))
			report := readReport(t, sc)
			require.NoError(t, wait())
			g.check(t, report)
			server.Close(nil)
		})
	}
}

// Node's tls server and an actornet TLS client exchange 10 MiB each way with half-close, on
// TLS 1.2 and 1.3; the client verifies the server against the test's CA.
func TestTLSInteropNodeServer(t *testing.T) {
	node := nodeBinary(t)
	for name := range tlsVersions {
		t.Run(name, func(t *testing.T) {
			pki := testkit.NewPKI(t)
			leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
			rt := newInteropRuntime(t)
			sc, wait := startScript(t, node, "tlspeer.js", "server", "0", tlsFiles(t, pki, leaf), name)
			port := readReport(t, sc).Port
			require.NotZero(t, port)
			secure := make(chan bool, 1)
			var g *goSide
			var c *netapi.Socket
			out := payload(t)
			made := make(chan struct{})
			rt.AfterFunc(0, func() { // a callback: the listeners are there before any event
				c = rt.ConnectTLS(netapi.TLSConnectOptions{
					ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1", AllowHalfOpen: true},
					TLSOptions:     netapi.TLSOptions{CA: pki.CAPEM},
				}, nil)
				c.OnSecureConnect(func() { secure <- c.Authorized() })
				g = exchange(c, out) // written before the handshake: sent once it is done
				close(made)
			})
			<-made
			assert.True(t, testkit.Recv(t, secure), "authorized")
			report := readReport(t, sc)
			require.NoError(t, wait())
			g.check(t, report)
			assert.Equal(t, name, c.GetProtocol())
		})
	}
}

// A certificate Node's client rejects gives actornet's client the same code; one it accepts,
// actornet's accepts too. Both connect to the same actornet TLS server.
func TestTLSVerificationMatchesNode(t *testing.T) {
	node := nodeBinary(t)
	pki, other := testkit.NewPKI(t), testkit.NewPKI(t)
	for _, tc := range []struct {
		name string
		cert testkit.Cert
		code string // "" for a certificate both accept
	}{
		{"valid", pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}}), ""},
		{"self-signed", testkit.SelfSigned(t, testkit.CertOptions{Names: []string{"127.0.0.1"}}), "DEPTH_ZERO_SELF_SIGNED_CERT"},
		{"unknown CA", other.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}}), "UNABLE_TO_VERIFY_LEAF_SIGNATURE"},
		{"expired", pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"},
			NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}), "CERT_HAS_EXPIRED"},
		{"wrong IP", pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.2"}}), "ERR_TLS_CERT_ALTNAME_INVALID"},
		{"CN only", pki.Leaf(t, testkit.CertOptions{CN: "127.0.0.1"}), "ERR_TLS_CERT_ALTNAME_INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newInteropRuntime(t)
			server := rt.CreateTLSServer(netapi.TLSServerOptions{
				TLSOptions: netapi.TLSOptions{Cert: tc.cert.CertPEM, Key: tc.cert.KeyPEM}}, nil)
			server.OnTLSClientError(func(error, *netapi.Socket) {}) // the clients' rejections
			listening := make(chan struct{})
			server.ListenPort(0, "127.0.0.1", 0, func() { close(listening) })
			<-listening
			port := strconv.Itoa(server.Address().Port)

			sc, wait := startScript(t, node, "tlspeer.js", "verify", port, tlsFiles(t, pki, tc.cert), "TLSv1.3")
			require.True(t, sc.Scan(), "Node printed nothing")
			var nodeSaw struct {
				Code       string `json:"code"`
				Authorized bool   `json:"authorized"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &nodeSaw), "%s", sc.Text())
			require.NoError(t, wait())
			assert.Equal(t, tc.code, nodeSaw.Code, "Node's code")
			assert.Equal(t, tc.code == "", nodeSaw.Authorized)

			got := make(chan string, 1)
			rt.AfterFunc(0, func() { // a callback: the listeners are there before any event
				c := rt.ConnectTLS(netapi.TLSConnectOptions{
					ConnectOptions: netapi.ConnectOptions{Port: server.Address().Port, Host: "127.0.0.1"},
					TLSOptions:     netapi.TLSOptions{CA: pki.CAPEM},
				}, nil)
				c.OnSecureConnect(func() { got <- ""; c.End(nil, nil) })
				c.OnError(func(err error) { got <- netapi.Code(err) })
			})
			assert.Equal(t, nodeSaw.Code, testkit.Recv(t, got), "actornet's code, against Node's")
			server.Close(nil)
		})
	}
}
