package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// openssl returns the openssl binary: CI installs it, and there its absence fails the test.
func openssl(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl is not installed: .ci/run installs it")
		}
		t.Skip("openssl is not installed")
	}
	return bin
}

// pemFiles writes a certificate, its key and the CA where openssl can read them.
func pemFiles(t *testing.T, pki *testkit.PKI, leaf testkit.Cert) (cert, key, ca string) {
	dir := t.TempDir()
	testkit.WritePEMIn(t, dir, "cert.pem", leaf.CertPEM)
	testkit.WritePEMIn(t, dir, "key.pem", leaf.KeyPEM)
	testkit.WritePEMIn(t, dir, "ca.pem", pki.CAPEM)
	return filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
}

// openssl s_client, verifying our server against the CA, sends 256 KiB through an actornet
// TLS echo server and gets them back; the server ends once it has them all, with
// close_notify, which ends s_client.
func TestTLSOpenSSLClient(t *testing.T) {
	bin := openssl(t)
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	payload := testkit.Pattern(256 << 10)
	srv := rt.CreateTLSServer(netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{Cert: leaf.CertPEM, Key: leaf.KeyPEM}},
		func(s *netapi.Socket) {
			n := 0
			s.OnData(func(b []byte) {
				s.Write(b, nil)
				if n += len(b); n == len(payload) {
					s.End(nil, nil)
				}
			})
		})
	port := testkit.Listen(t, srv)
	_, _, ca := pemFiles(t, pki, leaf)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port),
		"-CAfile", ca, "-verify_return_error", "-quiet", "-ign_eof")
	cmd.Stdin = bytes.NewReader(payload)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "%s", errOut.String())
	assert.Equal(t, sha256.Sum256(payload), sha256.Sum256(out.Bytes()), "%d bytes back", out.Len())
	srv.Close(nil)
}

// An actornet TLS client, verifying openssl s_server against the CA, sends 256 KiB and ends;
// s_server prints them, and what it sends reaches the client. The client's close_notify ends
// s_server.
func TestTLSOpenSSLServer(t *testing.T) {
	bin := openssl(t)
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	cert, key, _ := pemFiles(t, pki, leaf)
	port := testkit.ClosedPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "s_server", "-accept", "127.0.0.1:"+strconv.Itoa(port),
		"-cert", cert, "-key", key, "-naccept", "1", "-quiet")
	stdin, err := cmd.StdinPipe() // open until s_server exits: at its end s_server would stop
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Start())
	_, err = stdin.Write([]byte("hello from openssl\n"))
	require.NoError(t, err)
	payload := testkit.Pattern(256 << 10)
	got := make(chan string, 1)
	var c *netapi.Socket
	assert.Eventually(t, func() bool { // until s_server listens
		ok := make(chan bool, 1)
		rt.AfterFunc(0, func() { // a callback: the listeners are there before any event
			c = rt.ConnectTLSPort(port, "127.0.0.1", netapi.TLSOptions{CA: pki.CAPEM}, func() { ok <- true })
			c.OnError(func(error) { ok <- false })
		})
		return recv(t, ok)
	}, wait, 50*time.Millisecond)
	c.OnData(func(b []byte) {
		got <- string(b)
		c.End(payload, nil)
	})
	assert.Equal(t, "hello from openssl\n", recv(t, got))
	require.NoError(t, cmd.Wait(), "%s", errOut.String())
	assert.Equal(t, sha256.Sum256(payload), sha256.Sum256(out.Bytes()), "s_server got %d bytes", out.Len())
}

// Bad input on a TLS server: garbage after the handshake fails the socket ('error', then
// 'close(true)'); a client that sends close_notify mid-stream gives 'end' after what it had
// sent, and the socket ends its side by itself; a handshake that never completes is found by
// the idle timeout.
func TestTLSBadInput(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1"}})
	// serve makes a TLS server for one connection and the log of its socket's events.
	serve := func() (int, *testkit.Log) {
		events := newEvents()
		received := 0
		srv := rt.CreateTLSServer(netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{Cert: leaf.CertPEM, Key: leaf.KeyPEM}},
			func(s *netapi.Socket) {
				s.OnData(func(b []byte) { received += len(b) })
				s.OnError(func(err error) { events.Add("error") })
				s.OnEnd(func() { events.Add("end " + strconv.Itoa(received)) })
			})
		srv.OnConnection(func(s *netapi.Socket) {
			s.SetTimeout(2*time.Second, func() { events.Add("timeout"); s.Destroy() })
			s.OnClose(func(hadError bool) { events.Add("close " + strconv.FormatBool(hadError)); srv.Close(nil) })
		})
		return testkit.Listen(t, srv), events
	}
	dialTLS := func(port int) (*tls.Conn, net.Conn) {
		raw := dial(t, port)
		c := tls.Client(raw, &tls.Config{RootCAs: pki.Pool, ServerName: "127.0.0.1"})
		require.NoError(t, c.Handshake())
		return c, raw
	}

	port, events := serve()
	c, raw := dialTLS(port)
	_, err := c.Write([]byte("fine"))
	require.NoError(t, err)
	_, err = raw.Write(bytes.Repeat([]byte{0x17, 0x03, 0x03, 0x00, 0x20}, 10)) // records of garbage
	require.NoError(t, err)
	assert.Equal(t, []string{"error", "close true"}, events.WaitFor(t, "close true"))

	port, events = serve()
	c, _ = dialTLS(port)
	_, err = c.Write(make([]byte, 1000))
	require.NoError(t, err)
	require.NoError(t, c.CloseWrite()) // close_notify, and the connection stays open
	rest, err := io.ReadAll(c)         // the server's own close_notify ends this
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, []string{"end 1000", "close false"}, events.WaitFor(t, "close false"))

	port, events = serve()
	idle := dial(t, port) // connects, never says hello
	assert.Equal(t, []string{"timeout", "close false"}, events.WaitFor(t, "close false"))
	_ = idle.Close()
}
